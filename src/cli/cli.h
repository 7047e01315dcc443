/* cli.h - what the subcommands of the strobe command line share: input reading, the JSON report
 * pieces and the error exit. Single-threaded; used only by src/cli. */
#ifndef SB_CLI_H
#define SB_CLI_H

#include <jansson.h>

#include "pipeline/opts.h"
#include "strobe.h"

/* Largest input file the CLI reads (the server has its own, smaller body cap). */
#define SB_CLI_MAX_INPUT_BYTES (200u * 1024 * 1024)

/* Subcommand entry points: argc/argv start at the subcommand's name. Return the process exit code. */
int sb_cmd_headshot(int argc, char **argv);
int sb_cmd_detect(int argc, char **argv);
int sb_cmd_matte(int argc, char **argv);
int sb_cmd_serve(int argc, char **argv);
int sb_cmd_worker(int argc, char **argv);
int sb_cmd_keys(int argc, char **argv);
int sb_cmd_avatar(int argc, char **argv);
int sb_cmd_look(int argc, char **argv);
int sb_cmd_product(int argc, char **argv);
int sb_cmd_portrait(int argc, char **argv);
int sb_cmd_version(int argc, char **argv);

/* Print {"error":{"code","message","field"}} on stderr and return the exit code for `err`. */
int sb_cli_fail(sb_err err, const sb_error_t *e);

/* Print a usage error (exit code 2) with a printf-style message. */
int sb_cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse an option value: a whole number, or a number in [lo, hi]. Return 0, or print the usage error
 * naming --`name` and return its exit code. */
int sb_cli_parse_int(const char *s, const char *name, int *out);
int sb_cli_parse_float(const char *s, const char *name, float lo, float hi, float *out);
/* The `hi` of a flag whose range the pipeline's options type checks (sb_cli_check): the flag is parsed as
 * a non-negative number and the type names the limits, once. */
#define SB_CLI_CHECKED_BY_OPTS 1e9f
/* A format flag's value into the options type's format field `field` (pipeline/opts.h; png, jpeg, jpg or
 * webp): 0, or the usage error's exit status after printing it. */
int sb_cli_read_format(const sb_opts_table_t *t, const char *field, const char *s, void *opts);
/* An options type's check result: 0 for SB_OK, else the error printed (its field named) and the usage exit
 * status. */
int sb_cli_check(sb_err err, const sb_error_t *e);

/* The photos of `dir` (JPEG, PNG, WebP, HEIC by extension; no hidden files), sorted by name, as
 * malloc'd names in a malloc'd array (*names; the caller frees both). Returns the count, -1 when the
 * folder cannot be read. */
int sb_cli_list_photos(const char *dir, char ***names);

/* Initialise vips and open a studio, or print the error. Returns 0 or an exit code. */
int sb_cli_start(const char *argv0, sb_studio_t **studio);

/* Read an input file (capped) or print the error. Returns 0 or an exit code. */
int sb_cli_read_input(const char *path, uint8_t **buf, size_t *len);

/* JSON pieces of the reports (new references). */
json_t *sb_cli_json_input(const char *path, const sb_detect_result_t *d);
json_t *sb_cli_json_face(const sb_face_t *f);
json_t *sb_cli_json_timings(const sb_stages_t *s);

/* Print `report` on stdout as one line, and release it. */
void sb_cli_print_json(json_t *report);

#endif
