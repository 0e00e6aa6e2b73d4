/* Uses `include`, and a rule that refers to the included rule. */
include "inc/kk_common.inc"

rule KK_Uses_Included
{
    condition:
        KK_Included_Rule
}
