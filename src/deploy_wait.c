/* deploy_wait.c -- wait until the services a deploy touched converge, and say honestly when they do not: an update paused or rolled back, tasks that keep failing, a timeout; a one-shot service whose tasks complete has converged. */
#include "config.h"
#include "compose2swarm.h"
#include "deploy.h"

#include "engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* docker/cli's progress.go: how long a converged service must stay so when
 * its update_config names no monitor period. */
#define DEFAULT_MONITOR_MS 5000L
/* Failed or rejected tasks of the current spec in one slot that make "keeps
 * failing" (swarm would go on restarting them for ever). */
#define FAILURES_TO_GIVE_UP 3

enum verdict { PENDING = 0, CONVERGED = 1, FAILED = -1 };

struct watch {
	const struct c2s_deploy_service *s;
	enum verdict verdict;
	int holding;              /* the criteria hold; since held_at */
	long held_at;
	char status[256];         /* progress: "2/3 running (updating)" */
	char printed[256];        /* what the last plain line said */
	char reason[2048];        /* why it failed */
	char last_error[1024];    /* the last task error seen (Status.Err) */
	char newest[1024];        /* the newest unsettled task: "pending: no suitable node (...)" */
	char rollback_why[1024];  /* the message the rollback started with */
};

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *get_str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static double get_num(const cJSON *o, const char *k, double dflt)
{
	const cJSON *v = get(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static void set(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

/* One slot (replicated) or node (global): its newest task and its failures. */
struct slot {
	long key;             /* slot number, or the node's index */
	const cJSON *newest;
	double newest_version;
	int failures;
};

static int slot_of(struct slot *slots, size_t *n, size_t cap, long key)
{
	for (size_t i = 0; i < *n; i++)
		if (slots[i].key == key)
			return (int)i;
	if (*n == cap)
		return -1;
	memset(&slots[*n], 0, sizeof slots[*n]);
	slots[*n].key = key;
	return (int)(*n)++;
}

static int failed_state(const char *st)
{
	return strcmp(st, "failed") == 0 || strcmp(st, "rejected") == 0;
}

/* The error a task reports (Status.Err). */
static const char *task_error(const cJSON *t)
{
	return get_str(get(t, "Status"), "Err");
}

/* A paused or rolled-back update: the last task error seen in an earlier
 * look says why (why_failed asks the daemon when there was none). */
static void add_last_error(struct watch *w)
{
	if (w->last_error[0]) {
		size_t l = strlen(w->reason);
		snprintf(w->reason + l, sizeof w->reason - l, "; last task error: %s", w->last_error);
	}
}

/* Judge one service from what the daemon says now. */
static enum verdict judge(struct watch *w, const cJSON *svc, const cJSON *tasks, long monitor_ms, long now)
{
	const cJSON *spec = get(svc, "Spec");
	const cJSON *us = get(svc, "UpdateStatus");
	const char *state = get_str(us, "State");
	/* an UpdateStatus left from before this deploy says nothing about it */
	const cJSON *old = get(w->s->before, "UpdateStatus");
	int stale = w->s->updated && us && old && strcmp(state, get_str(old, "State")) == 0 &&
		    strcmp(get_str(us, "StartedAt"), get_str(old, "StartedAt")) == 0;
	const char *msg = get_str(us, "Message");
	if (us && !stale) {
		if (strcmp(state, "paused") == 0) {
			set(w->reason, sizeof w->reason, "update paused: %s", msg);
			add_last_error(w);
			return FAILED;
		}
		if (strcmp(state, "rollback_paused") == 0) {
			set(w->reason, sizeof w->reason, "rollback paused: %s", msg);
			add_last_error(w);
			return FAILED;
		}
		if (strcmp(state, "rollback_started") == 0 && *msg)
			snprintf(w->rollback_why, sizeof w->rollback_why, "%s", msg);
		if (strcmp(state, "rollback_completed") == 0) {
			/* the rollback's own message says only that it completed; the
			 * reason was in the one it started with, and in the tasks */
			if (w->rollback_why[0] && strcmp(w->rollback_why, msg) != 0)
				set(w->reason, sizeof w->reason, "rolled back: %s (%s)", w->rollback_why, msg);
			else
				set(w->reason, sizeof w->reason, "rolled back: %s", msg);
			add_last_error(w);
			return FAILED;
		}
	}
	const cJSON *mode = get(spec, "Mode");
	const char *cond = get_str(get(get(spec, "TaskTemplate"), "RestartPolicy"), "Condition");
	int is_job = get(mode, "ReplicatedJob") || get(mode, "GlobalJob");
	if (!*cond)
		cond = is_job ? "on-failure" : "any";
	double max_attempts = get_num(get(get(spec, "TaskTemplate"), "RestartPolicy"), "MaxAttempts", 0);
	int global = get(mode, "Global") || get(mode, "GlobalJob");
	/* jobs: only the tasks of the current run count */
	double iteration = get_num(get(get(svc, "JobStatus"), "JobIteration"), "Index", -1);

	size_t ntasks = (size_t)cJSON_GetArraySize(tasks), nslots = 0;
	struct slot *slots = calloc(ntasks ? ntasks : 1, sizeof *slots);
	const char **nodes = calloc(ntasks ? ntasks : 1, sizeof *nodes);
	if (!slots || !nodes) {
		free(slots);
		free(nodes);
		set(w->reason, sizeof w->reason, "out of memory");
		return FAILED;
	}
	size_t nnodes = 0;
	int job_failures = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, tasks)
	{
		if (is_job && iteration >= 0 && get_num(get(t, "JobIteration"), "Index", iteration) != iteration)
			continue;
		long key;
		if (get(mode, "ReplicatedJob")) {
			key = (long)nslots; /* each run of a job is its own */
		} else if (global) {
			const char *node = get_str(t, "NodeID");
			size_t k = 0;
			while (k < nnodes && strcmp(nodes[k], node) != 0)
				k++;
			if (k == nnodes)
				nodes[nnodes++] = node;
			key = (long)k;
		} else {
			key = (long)get_num(t, "Slot", 0);
		}
		int i = slot_of(slots, &nslots, ntasks, key);
		if (i < 0)
			continue;
		double v = get_num(get(t, "Version"), "Index", 0);
		const char *st = get_str(get(t, "Status"), "State");
		if (failed_state(st)) {
			slots[i].failures++;
			job_failures++;
			const char *e = task_error(t);
			if (*e)
				snprintf(w->last_error, sizeof w->last_error, "%s", e);
		}
		if (!slots[i].newest || v > slots[i].newest_version) {
			slots[i].newest = t;
			slots[i].newest_version = v;
		}
	}
	/* count what the newest task of each slot says */
	size_t running = 0, complete = 0, failing = 0, active = 0;
	w->newest[0] = '\0';
	for (size_t i = 0; i < nslots; i++) {
		const cJSON *nt = slots[i].newest;
		const char *st = get_str(get(nt, "Status"), "State");
		const char *desired = get_str(nt, "DesiredState");
		if (!global && !is_job && get(mode, "Replicated") &&
		    slots[i].key > (long)get_num(get(mode, "Replicated"), "Replicas", 1))
			continue; /* a slot being scaled away */
		if (strcmp(desired, "shutdown") == 0 || strcmp(desired, "remove") == 0) {
			if (!failed_state(st) && strcmp(st, "complete") != 0)
				continue;
		}
		active++;
		if (strcmp(st, "running") == 0)
			running++;
		else if (strcmp(st, "complete") == 0)
			complete++;
		else if (!w->newest[0]) {
			const char *why = *task_error(nt) ? task_error(nt) : get_str(get(nt, "Status"), "Message");
			set(w->newest, sizeof w->newest, "%s%s%s%s", st, *why ? " (" : "", why, *why ? ")" : "");
		}
		int gave_up = failed_state(st) && (strcmp(cond, "none") == 0 ||
						   (strcmp(cond, "on-failure") == 0 && max_attempts > 0 &&
						    slots[i].failures > (int)max_attempts));
		if (slots[i].failures >= FAILURES_TO_GIVE_UP && strcmp(st, "running") != 0)
			gave_up = 1;
		if (gave_up)
			failing++;
	}
	if (get(mode, "ReplicatedJob") && job_failures >= FAILURES_TO_GIVE_UP)
		failing++;
	free(slots);
	free(nodes);

	const char *phase = us && !stale ? state : "";
	/* while swarm's updater is at work it judges the failures itself (failure_action:
	 * it pauses, rolls back or goes on to "completed"): say what it decided, not
	 * "keep failing" from tasks an earlier deploy of the same template left failed */
	if (failing && (strcmp(phase, "updating") == 0 || strcmp(phase, "rollback_started") == 0))
		failing = 0;
	if (failing) {
		set(w->reason, sizeof w->reason, "tasks keep failing: %s", w->last_error[0] ? w->last_error : "no error given");
		return FAILED;
	}
	int done;
	if (get(mode, "ReplicatedJob")) {
		double total = get_num(get(mode, "ReplicatedJob"), "TotalCompletions",
				       get_num(get(mode, "ReplicatedJob"), "MaxConcurrent", 1));
		done = (double)complete >= total;
		set(w->status, sizeof w->status, "%zu/%.0f completed", complete, total);
	} else if (get(mode, "GlobalJob")) {
		done = active > 0 && complete == active;
		set(w->status, sizeof w->status, "%zu/%zu completed", complete, active);
	} else if (global) {
		/* one task per node that takes the service; complete counts where it is final */
		size_t ok = running + (strcmp(cond, "any") != 0 ? complete : 0);
		done = ok == active;
		set(w->status, sizeof w->status, "%zu/%zu running", running, active);
	} else {
		double want = get_num(get(mode, "Replicated"), "Replicas", 1);
		size_t ok = running + (strcmp(cond, "any") != 0 ? complete : 0);
		done = (double)ok >= want && (double)active <= want;
		set(w->status, sizeof w->status, "%zu/%.0f running", running, want);
		if (complete && strcmp(cond, "any") != 0) {
			size_t l = strlen(w->status);
			snprintf(w->status + l, sizeof w->status - l, ", %zu completed", complete);
		}
	}
	if (*phase && strcmp(phase, "completed") != 0) {
		size_t l = strlen(w->status);
		snprintf(w->status + l, sizeof w->status - l, " (%s)", strcmp(phase, "rollback_started") == 0 ? "rolling back" : phase);
		if (strcmp(phase, "updating") == 0 || strcmp(phase, "rollback_started") == 0)
			done = 0;
	}
	if (!done) {
		w->holding = 0;
		return PENDING;
	}
	if (is_job)
		return CONVERGED;
	/* progress.go: converged only once it has stayed so for the monitor period */
	if (!w->holding) {
		w->holding = 1;
		w->held_at = now;
	}
	return now - w->held_at >= monitor_ms ? CONVERGED : PENDING;
}

static int transport(const struct c2s_engine_error *ee)
{
	return ee->code != C2S_ENGINE_ERR_DAEMON && ee->code != C2S_ENGINE_ERR_RESPONSE;
}

/* An update that paused or rolled back: the newest failed task of the
 * service, of any spec (a rollback makes the failed ones out of date), says
 * why. One more request, made only then; its failure changes nothing. */
static void why_failed(struct c2s_engine *e, struct watch *w)
{
	struct c2s_engine_param f = {"service", w->s->id};
	struct c2s_engine_error ee;
	cJSON *tasks = NULL;
	if (c2s_engine_get_json(e, "/tasks", &f, 1, &tasks, &ee) != 0)
		return;
	const cJSON *t, *newest = NULL;
	cJSON_ArrayForEach(t, tasks)
	{
		const char *st = get_str(get(t, "Status"), "State");
		if (!failed_state(st) || !*task_error(t))
			continue;
		if (!newest || strcmp(get_str(get(t, "Status"), "Timestamp"), get_str(get(newest, "Status"), "Timestamp")) > 0)
			newest = t;
	}
	if (newest) {
		size_t l = strlen(w->reason);
		snprintf(w->reason + l, sizeof w->reason - l, "; last task error: %s", task_error(newest));
	}
	cJSON_Delete(tasks);
}

/* One look at one service. 0, or -1 when the daemon is gone (ee says why). */
static int look(struct c2s_engine *e, struct watch *w, long now, struct c2s_engine_error *ee)
{
	char path[512];
	cJSON *svc = NULL, *tasks = NULL;
	snprintf(path, sizeof path, "/services/%s", w->s->id);
	if (c2s_engine_get_json(e, path, NULL, 0, &svc, ee) != 0) {
		if (transport(ee))
			return -1;
		set(w->reason, sizeof w->reason, "%s", ee->message);
		w->verdict = FAILED;
		return 0;
	}
	/* progress.go's task list: the service's tasks of its current spec */
	struct c2s_engine_param f[] = {{"service", w->s->id}, {"_up-to-date", "true"}};
	if (c2s_engine_get_json(e, "/tasks", f, 2, &tasks, ee) != 0) {
		cJSON_Delete(svc);
		if (transport(ee))
			return -1;
		set(w->reason, sizeof w->reason, "%s", ee->message);
		w->verdict = FAILED;
		return 0;
	}
	long monitor_ms = DEFAULT_MONITOR_MS;
	double mon = get_num(get(get(svc, "Spec"), "UpdateConfig"), "Monitor", 0);
	if (mon > 0)
		monitor_ms = (long)(mon / 1e6);
	w->verdict = judge(w, svc, tasks, monitor_ms, now);
	cJSON_Delete(svc);
	cJSON_Delete(tasks);
	if (w->verdict == FAILED && !w->last_error[0] && strstr(w->reason, "keep failing") == NULL)
		why_failed(e, w);
	return 0;
}

/* The progress line of a service: its status, "converged", or the first
 * words of why it failed (the whole reason goes to standard error). */
static const char *line_of(struct watch *w, char *buf, size_t n)
{
	if (w->verdict == CONVERGED)
		return "converged";
	if (w->verdict != FAILED)
		return w->status;
	snprintf(buf, n, "%.*s", (int)strcspn(w->reason, ":;("), w->reason);
	return buf;
}

static void show(struct watch *ws, size_t n, int tty, int *drawn, FILE *out)
{
	char buf[256];
	if (tty) {
		if (*drawn)
			fprintf(out, "\033[%dA", *drawn);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "\033[K%s: %s\n", ws[i].s->name, line_of(&ws[i], buf, sizeof buf));
		*drawn = (int)n;
	} else {
		for (size_t i = 0; i < n; i++) {
			const char *now = line_of(&ws[i], buf, sizeof buf);
			if (*now && strcmp(now, ws[i].printed) != 0) {
				fprintf(out, "%s: %s\n", ws[i].s->name, now);
				snprintf(ws[i].printed, sizeof ws[i].printed, "%s", now);
			}
		}
	}
	fflush(out);
}

int c2s_deploy_wait(struct c2s_engine *e, const struct c2s_deploy_result *r, const struct c2s_deploy_wait_options *o,
		    FILE *out, FILE *err)
{
	if (!r->nservices)
		return C2S_EXIT_OK;
	struct watch *ws = calloc(r->nservices, sizeof *ws);
	if (!ws) {
		fprintf(err, "compose2swarm: out of memory\n");
		return C2S_EXIT_TROUBLE;
	}
	for (size_t i = 0; i < r->nservices; i++)
		ws[i].s = &r->services[i];
	long start = now_ms(), poll = o->poll_ms > 0 ? o->poll_ms : 500;
	int drawn = 0, rc = C2S_EXIT_OK;
	for (;;) {
		size_t pending = 0;
		for (size_t i = 0; i < r->nservices; i++) {
			if (ws[i].verdict != PENDING)
				continue;
			if (o->stop && *o->stop)
				break;
			struct c2s_engine_error ee;
			if (look(e, &ws[i], now_ms(), &ee) != 0) {
				show(ws, r->nservices, o->tty, &drawn, out);
				fprintf(err, "compose2swarm: lost the daemon while waiting for %s: %s\n", ws[i].s->name, ee.message);
				free(ws);
				return C2S_EXIT_TROUBLE;
			}
			pending += ws[i].verdict == PENDING;
		}
		show(ws, r->nservices, o->tty, &drawn, out);
		if (o->stop && *o->stop) {
			size_t ok = 0;
			for (size_t i = 0; i < r->nservices; i++)
				ok += ws[i].verdict == CONVERGED;
			fprintf(err, "compose2swarm: interrupted while waiting (%zu of %zu services converged); the deploy was applied\n",
				ok, r->nservices);
			rc = C2S_EXIT_TROUBLE;
			break;
		}
		if (!pending)
			break;
		if (now_ms() - start >= o->timeout_ms) {
			for (size_t i = 0; i < r->nservices; i++)
				if (ws[i].verdict == PENDING) {
					fprintf(err, "compose2swarm: %s: not converged after %ld s: %s%s%s%s%s\n", ws[i].s->name,
						o->timeout_ms / 1000, ws[i].status, ws[i].newest[0] ? "; a task is " : "",
						ws[i].newest, ws[i].last_error[0] ? "; last task error: " : "", ws[i].last_error);
				}
			rc = C2S_EXIT_FINDINGS;
			break;
		}
		/* sleep in small steps, so that a signal ends the wait at once */
		for (long slept = 0; slept < poll && !(o->stop && *o->stop); slept += 100) {
			struct timespec ts = {0, 100 * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	for (size_t i = 0; i < r->nservices && rc != C2S_EXIT_TROUBLE; i++)
		if (ws[i].verdict == FAILED) {
			fprintf(err, "compose2swarm: %s: %s\n", ws[i].s->name, ws[i].reason);
			rc = C2S_EXIT_FINDINGS;
		}
	free(ws);
	return rc;
}
