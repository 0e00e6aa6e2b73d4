/*
 * The EICAR anti-virus test file: a harmless 68-byte string that every
 * anti-virus product detects on purpose (https://www.eicar.org/).
 */

rule KK_EICAR_Test_String : test
{
    meta:
        description = "EICAR anti-virus test string (harmless)"
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar at 0
}
