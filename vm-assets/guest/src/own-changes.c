/*
 * own-changes: prints, a path a line, what changes under the given folders, like
 * `inotifywait -m -r -e close_write,create,delete,moved_from,moved_to --format '%w%f'`, but
 * in batches: it wakes at most once every REST_MS, reads every queued event at once and
 * writes all their lines with one write(2). inotifywait wakes, polls, formats and flushes
 * for every event; under emulation that doubled the time a container took to delete a
 * bind-mounted tree (docs/performance.md, "The own-changes recorder").
 *
 *   own-changes [--attrib] [--fromfile FILE] [PATH...]
 *
 * FILE names one folder a line. A PATH that is a file (the agent's mark) is watched itself
 * and printed by its own path. Folders made or moved in later are watched too, and their
 * entries printed, since they were made before their watch could see them. --attrib adds
 * attribute changes (chmod, chown, utimes). Lines with a newline in the path are not
 * printed: the reader takes a line as a path.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The longest a change waits to be printed; the agent's `mark` waits for its own line. */
#define REST_MS 20

static int inotify_fd;
static unsigned mask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
/* Each watch's path by its descriptor: a folder's ends in '/', a file's does not. */
static char **watched;
static int watched_len;
static char out[1 << 16];
static size_t out_used;

static void flush_out(void) {
  size_t done = 0;
  while (done < out_used) {
    ssize_t n = write(STDOUT_FILENO, out + done, out_used - done);
    if (n < 0 && errno == EINTR) continue;
    /* The reader is gone (the agent closed the port): nothing is left to record for. */
    if (n < 0) exit(0);
    done += (size_t)n;
  }
  out_used = 0;
}

/* Adds the line `base` + `name` to the batch. */
static void print_path(const char *base, const char *name) {
  size_t lb = strlen(base), ln = strlen(name);
  if (lb + ln + 1 > sizeof out || memchr(base, '\n', lb) || memchr(name, '\n', ln)) return;
  if (out_used + lb + ln + 1 > sizeof out) flush_out();
  memcpy(out + out_used, base, lb);
  memcpy(out + out_used + lb, name, ln);
  out_used += lb + ln;
  out[out_used++] = '\n';
}

static void *must(void *p) {
  if (!p) {
    perror("own-changes");
    exit(1);
  }
  return p;
}

/* Names watch `wd` by `path`; a watch added again for the same inode (a folder moved) is renamed. */
static void remember(int wd, const char *path, int folder) {
  if (wd >= watched_len) {
    int len = wd * 2 + 64;
    watched = must(realloc(watched, (size_t)len * sizeof *watched));
    memset(watched + watched_len, 0, (size_t)(len - watched_len) * sizeof *watched);
    watched_len = len;
  }
  size_t l = strlen(path);
  char *name = must(malloc(l + 2));
  memcpy(name, path, l + 1);
  if (folder && (l == 0 || path[l - 1] != '/')) strcpy(name + l, "/");
  free(watched[wd]);
  watched[wd] = name;
}

static void forget(int wd) {
  if (wd < 0 || wd >= watched_len) return;
  free(watched[wd]);
  watched[wd] = NULL;
}

/* Watches `dir` and every folder under it (symlinks are not followed); with `fresh`, prints each entry found. */
static void watch_tree(const char *dir, int fresh) {
  int wd = inotify_add_watch(inotify_fd, dir, mask | IN_ONLYDIR | IN_DONT_FOLLOW);
  if (wd < 0) return;
  remember(wd, dir, 1);
  DIR *d = opendir(dir);
  if (!d) return;
  char path[PATH_MAX];
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    /* watched[wd] is read afresh each time: the recursion below may move the table. */
    if (snprintf(path, sizeof path, "%s%s", watched[wd], e->d_name) >= (int)sizeof path) continue;
    if (fresh) print_path(path, "");
    if (e->d_type == DT_DIR) watch_tree(path, fresh);
  }
  closedir(d);
}

/* Watches a path given on the command line: a folder and its tree, or one file. */
static void watch_root(const char *path) {
  struct stat st;
  if (lstat(path, &st) < 0) return;
  if (S_ISDIR(st.st_mode)) {
    watch_tree(path, 0);
    return;
  }
  int wd = inotify_add_watch(inotify_fd, path, mask);
  if (wd >= 0) remember(wd, path, 0);
}

static void watch_listed(const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) {
    perror(file);
    exit(1);
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] == '\n') line[--n] = '\0';
    if (n) watch_root(line);
  }
  free(line);
  fclose(f);
}

/* Turns one read's events into lines, watching the folders that arrived. */
static void take(const char *buf, ssize_t len) {
  const char *p = buf;
  while (p < buf + len) {
    const struct inotify_event *ev = (const struct inotify_event *)p;
    p += sizeof *ev + ev->len;
    if (ev->mask & IN_IGNORED) {
      forget(ev->wd);
      continue;
    }
    if (ev->wd < 0 || ev->wd >= watched_len || !watched[ev->wd]) continue;
    const char *base = watched[ev->wd];
    const char *name = ev->len ? ev->name : "";
    print_path(base, name);
    if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
      char path[PATH_MAX];
      if (snprintf(path, sizeof path, "%s%s", base, name) < (int)sizeof path) watch_tree(path, 1);
    }
  }
}

int main(int argc, char **argv) {
  inotify_fd = inotify_init1(IN_CLOEXEC);
  if (inotify_fd < 0) {
    perror("inotify_init1");
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--attrib")) mask |= IN_ATTRIB;
  }
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--attrib")) continue;
    if (!strcmp(argv[i], "--fromfile") && i + 1 < argc) watch_listed(argv[++i]);
    else watch_root(argv[i]);
  }
  static char buf[1 << 16] __attribute__((aligned(__alignof__(struct inotify_event))));
  struct pollfd ready = {inotify_fd, POLLIN, 0};
  const struct timespec rest = {0, REST_MS * 1000L * 1000L};
  for (;;) {
    if (poll(&ready, 1, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    /* Let the burst that woke us gather, so it costs one read and one write. */
    nanosleep(&rest, NULL);
    ssize_t n = read(inotify_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 1;
    take(buf, n);
    flush_out();
  }
}
