/* config.c — placeholder until the config parser lands. */
#include "config/config.h"
#include <ini.h>

int tend_config_placeholder(void);
int tend_config_placeholder(void)
{
    return 0;
}
