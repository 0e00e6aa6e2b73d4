/* cmd_version.c - kaketsuke version */
#include "cli.h"

#include <jansson.h>
#include <magic.h>
#include <openssl/opensslv.h>
#include <tsk/libtsk.h>
#include <yara.h>

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("kaketsuke %s\n", KK_VERSION);
    printf("libyara %s, libtsk %s, libmagic %d, jansson %s, %s\n", YR_VERSION, tsk_version_get_str(),
           magic_version(), JANSSON_VERSION, OPENSSL_VERSION_TEXT);
    return KK_EXIT_OK;
}
