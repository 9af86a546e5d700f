/* cmd_user: placeholder until the command lands (replaced wholesale). */
#include "cli/cli.h"

int cmd_user(int argc, char **argv, const cli_env *env)
{
    (void)argc;
    (void)argv;
    (void)env;
    cli_error("genu user is not available in this build");
    return CLI_EFAIL;
}
