/* Rules for the memory-scan tests: they match the markers tests/memory/gen.py plants.
 * Conditions are plain "any of them" so that a chunked scan and a whole-file scan
 * (the yara CLI oracle) report the same string matches. */
rule kk_mem_text : memtest
{
    meta:
        description = "plain text marker"
        ref = "one"
        ref = "two"
    strings:
        $a = "KKMEM-TEXT-MARKER"
    condition:
        $a
}

rule kk_mem_multi
{
    strings:
        $alpha = "KKMEM-ALPHA"
        $beta = "KKMEM-BETA" nocase
        $wide = "KKMEM-WIDE" wide
    condition:
        any of them
}

rule kk_mem_hex
{
    strings:
        $h = { 4B 4B 48 45 58 ?? ?? 21 [2-6] 3F 3F }
    condition:
        $h
}

rule kk_mem_regex
{
    strings:
        $r = /KKRE[0-9]{3,8}Z/
        $long = /KKLONG[A-Z]{100,4000}GNOLKK/
    condition:
        any of them
}

rule kk_mem_repeat
{
    strings:
        $r = "KKMEM-REPEAT"
    condition:
        $r
}

rule kk_mem_end
{
    strings:
        $e = "KKMEM-END-OF-IMAGE"
    condition:
        $e
}
