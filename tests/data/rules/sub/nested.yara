/* A rule file in a subdirectory, with the .yara extension. */

rule KK_Nested_Marker_3
{
    strings:
        $m = "KAKETSUKE-TEST-MARKER-3"
    condition:
        $m
}
