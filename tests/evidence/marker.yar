/* Test rule for the evidence tests: matches the harmless marker planted by
 * tests/evidence/mkimages.sh (and nothing else). */
rule KK_Evidence_Marker : kaketsuke test
{
    meta:
        description = "kaketsuke evidence test marker"
    strings:
        $m = "KK-EVIDENCE-MARKER-7f3a"
    condition:
        $m
}
