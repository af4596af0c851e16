/* emit_api_sort.c -- Go's sort.Slice (pdqsort, Go >= 1.19) of a service's
 * ports by PublishedPort: docker/cli sorts them so and the order of ties is
 * part of the payload. Same algorithm, same deterministic "random" pattern
 * breaking, so the same permutation for the same input. */
#include "config.h"
#include "emit_api_int.h"

static int port_less(const struct port *p, size_t i, size_t j)
{
	return p[i].published < p[j].published;
}

static void port_swap(struct port *p, size_t i, size_t j)
{
	struct port t = p[i];
	p[i] = p[j];
	p[j] = t;
}

static unsigned bit_len(size_t x)
{
	unsigned n = 0;
	for (; x; x >>= 1)
		n++;
	return n;
}

static void go_insertion(struct port *p, size_t a, size_t b)
{
	for (size_t i = a + 1; i < b; i++)
		for (size_t j = i; j > a && port_less(p, j, j - 1); j--)
			port_swap(p, j, j - 1);
}

static void go_sift_down(struct port *p, size_t lo, size_t hi, size_t first)
{
	size_t root = lo;
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= hi)
			return;
		if (child + 1 < hi && port_less(p, first + child, first + child + 1))
			child++;
		if (!port_less(p, first + root, first + child))
			return;
		port_swap(p, first + root, first + child);
		root = child;
	}
}

static void go_heap_sort(struct port *p, size_t a, size_t b)
{
	size_t hi = b - a;
	for (size_t i = (hi - 1) / 2 + 1; i-- > 0;)
		go_sift_down(p, i, hi, a);
	for (size_t i = hi; i-- > 0;) {
		port_swap(p, a, a + i);
		go_sift_down(p, 0, i, a);
	}
}

enum { HINT_UNKNOWN, HINT_INCREASING, HINT_DECREASING };

static void go_order2(struct port *p, size_t *x, size_t *y, int *swaps)
{
	if (port_less(p, *y, *x)) {
		size_t t = *x;
		*x = *y;
		*y = t;
		(*swaps)++;
	}
}

static size_t go_median(struct port *p, size_t a, size_t b, size_t c, int *swaps)
{
	go_order2(p, &a, &b, swaps);
	go_order2(p, &b, &c, swaps);
	go_order2(p, &a, &b, swaps);
	return b;
}

static size_t go_choose_pivot(struct port *p, size_t a, size_t b, int *hint)
{
	size_t l = b - a, i = a + l / 4, j = a + l / 4 * 2, k = a + l / 4 * 3;
	int swaps = 0;
	if (l >= 8) {
		if (l >= 50) {
			i = go_median(p, i - 1, i, i + 1, &swaps);
			j = go_median(p, j - 1, j, j + 1, &swaps);
			k = go_median(p, k - 1, k, k + 1, &swaps);
		}
		j = go_median(p, i, j, k, &swaps);
	}
	*hint = swaps == 0 ? HINT_INCREASING : swaps == 12 ? HINT_DECREASING : HINT_UNKNOWN;
	return j;
}

static void go_break_patterns(struct port *p, size_t a, size_t b)
{
	size_t length = b - a;
	if (length < 8)
		return;
	uint64_t r = length;
	size_t modulus = (size_t)1 << bit_len(length);
	for (size_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		size_t other = (size_t)(r & (modulus - 1));
		if (other >= length)
			other -= length;
		port_swap(p, idx, a + other);
	}
}

static int go_partial_insertion(struct port *p, size_t a, size_t b)
{
	size_t i = a + 1;
	for (int step = 0; step < 5; step++) {
		while (i < b && !port_less(p, i, i - 1))
			i++;
		if (i == b)
			return 1;
		if (b - a < 50)
			return 0;
		port_swap(p, i, i - 1);
		if (i - a >= 2)
			for (size_t j = i - 1; j >= 1 && port_less(p, j, j - 1); j--)
				port_swap(p, j, j - 1);
		if (b - i >= 2)
			for (size_t j = i + 1; j < b && port_less(p, j, j - 1); j++)
				port_swap(p, j, j - 1);
	}
	return 0;
}

static size_t go_partition_equal(struct port *p, size_t a, size_t b, size_t pivot)
{
	port_swap(p, a, pivot);
	ptrdiff_t i = (ptrdiff_t)a + 1, j = (ptrdiff_t)b - 1;
	for (;;) {
		while (i <= j && !port_less(p, a, (size_t)i))
			i++;
		while (i <= j && port_less(p, a, (size_t)j))
			j--;
		if (i > j)
			return (size_t)i;
		port_swap(p, (size_t)i, (size_t)j);
		i++;
		j--;
	}
}

static size_t go_partition(struct port *p, size_t a, size_t b, size_t pivot, int *already)
{
	port_swap(p, a, pivot);
	ptrdiff_t i = (ptrdiff_t)a + 1, j = (ptrdiff_t)b - 1;
	while (i <= j && port_less(p, (size_t)i, a))
		i++;
	while (i <= j && !port_less(p, (size_t)j, a))
		j--;
	if (i > j) {
		port_swap(p, (size_t)j, a);
		*already = 1;
		return (size_t)j;
	}
	port_swap(p, (size_t)i, (size_t)j);
	i++;
	j--;
	for (;;) {
		while (i <= j && port_less(p, (size_t)i, a))
			i++;
		while (i <= j && !port_less(p, (size_t)j, a))
			j--;
		if (i > j)
			break;
		port_swap(p, (size_t)i, (size_t)j);
		i++;
		j--;
	}
	port_swap(p, (size_t)j, a);
	*already = 0;
	return (size_t)j;
}

static void go_pdqsort(struct port *p, size_t a, size_t b, unsigned limit)
{
	int balanced = 1, partitioned = 1;
	for (;;) {
		size_t length = b - a;
		if (length <= 12) {
			go_insertion(p, a, b);
			return;
		}
		if (limit == 0) {
			go_heap_sort(p, a, b);
			return;
		}
		if (!balanced) {
			go_break_patterns(p, a, b);
			limit--;
		}
		int hint;
		size_t pivot = go_choose_pivot(p, a, b, &hint);
		if (hint == HINT_DECREASING) {
			for (size_t i = a, j = b - 1; i < j; i++, j--)
				port_swap(p, i, j);
			pivot = (b - 1) - (pivot - a);
			hint = HINT_INCREASING;
		}
		if (balanced && partitioned && hint == HINT_INCREASING && go_partial_insertion(p, a, b))
			return;
		if (a > 0 && !port_less(p, a - 1, pivot)) {
			a = go_partition_equal(p, a, b, pivot);
			continue;
		}
		int already;
		size_t mid = go_partition(p, a, b, pivot, &already);
		partitioned = already;
		size_t left = mid - a, right = b - mid, threshold = length / 8;
		if (left < right) {
			balanced = left >= threshold;
			go_pdqsort(p, a, mid, limit);
			a = mid + 1;
		} else {
			balanced = right >= threshold;
			go_pdqsort(p, mid + 1, b, limit);
			b = mid;
		}
	}
}

void c2s_api_sort_ports(struct port *p, size_t n)
{
	if (n > 1)
		go_pdqsort(p, 0, n, bit_len(n));
}

