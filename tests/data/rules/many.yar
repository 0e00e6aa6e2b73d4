/* A string found at 5000 offsets of one file (for --max-strings). */

rule KK_Many_Offsets
{
    strings:
        $a = "KKMANY!"
    condition:
        #a >= 1000
}
