/* cmd_advise: placeholder until the command lands (replaced wholesale). */
#include "cli/cli.h"

int cmd_advise(int argc, char **argv, const cli_env *env)
{
    (void)argc;
    (void)argv;
    (void)env;
    cli_error("genu advise is not available in this build");
    return CLI_EFAIL;
}
