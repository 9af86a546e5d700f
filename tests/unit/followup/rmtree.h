/* rmtree: removing a test's temporary directory (the follow-up tests). */
#ifndef GENU_TESTS_FOLLOWUP_RMTREE_H
#define GENU_TESTS_FOLLOWUP_RMTREE_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Removes path and, when it is a directory, everything below it. */
static inline void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        for (struct dirent *e; (e = readdir(d));) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[1024];
            if (snprintf(p, sizeof p, "%s/%s", path, e->d_name) < (int)sizeof p)
                rm_rf(p);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

#endif
