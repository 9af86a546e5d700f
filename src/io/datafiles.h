/* datafiles: the files of data/ (instrument wording, message templates)
 * compiled into the binary by tools/embed-data.sh. */
#ifndef GENU_IO_DATAFILES_H
#define GENU_IO_DATAFILES_H

#include <stddef.h>

typedef struct data_file {
    const char *path; /* relative to data/: "instruments/koos.en.json" */
    const unsigned char *data; /* NUL-terminated */
    size_t len;
} data_file;

/* The embedded files, sorted by path; *n gets their count. Static. */
const data_file *data_files(size_t *n);

#endif
