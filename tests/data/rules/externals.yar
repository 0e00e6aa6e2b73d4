/*
 * Rules using the THOR/LOKI external variables filename, filepath and
 * extension. They compile only when the caller declares the externals
 * (kaketsuke does; so does tests/oracle/tsk_yara.py).
 *   filename   the name ("cmd.exe"; an NTFS stream is "file.txt:stream")
 *   filepath   the directory, no trailing separator ("C:\Windows\System32";
 *              "C:" for a root directory on FAT/NTFS, "/" on other file systems)
 *   extension  lower-case, with the leading dot (".exe"; "" when none)
 */

rule KK_Ext_System32_Dll
{
    strings:
        $m = "KAKETSUKE-SYS32-MARKER"
    condition:
        $m and filename == "kkevil.dll" and extension == ".dll"
        and filepath == "C:\\Windows\\System32"
}

rule KK_Ext_Temp_Script
{
    strings:
        $m = "KAKETSUKE-TEMP-MARKER"
    condition:
        $m and extension == ".ps1"
        and filepath matches /^[C-Z]:\\Users\\[^\\]+\\AppData\\Local\\Temp$/
}

rule KK_Ext_Upper_Extension
{
    strings:
        $m = "KAKETSUKE-EXT-MARKER"
    condition:
        $m and filename == "INVOICE.PDF.EXE" and extension == ".exe"
}

rule KK_Drive_Letter_C
{
    strings:
        $m = "KAKETSUKE-DRIVE-MARKER"
    condition:
        $m and filepath matches /^C:(\\|$)/
}

rule KK_Drive_Letter_D
{
    strings:
        $m = "KAKETSUKE-DRIVE-MARKER"
    condition:
        $m and filepath matches /^D:(\\|$)/
}

rule KK_Drive_Letter_E
{
    strings:
        $m = "KAKETSUKE-DRIVE-MARKER"
    condition:
        $m and filepath matches /^E:(\\|$)/
}

rule KK_Drive_Letter_F
{
    strings:
        $m = "KAKETSUKE-DRIVE-MARKER"
    condition:
        $m and filepath matches /^F:(\\|$)/
}

rule KK_Path_Unix
{
    strings:
        $m = "KAKETSUKE-DRIVE-MARKER"
    condition:
        $m and filepath matches /^\//
}

rule KK_Path_Root_Windows
{
    strings:
        $m = "KAKETSUKE-DRIVE-MARKER"
    condition:
        $m and filepath matches /^[A-Z]:$/
}

rule KK_Path_Root_Unix
{
    strings:
        $m = "KAKETSUKE-DRIVE-MARKER"
    condition:
        $m and filepath == "/"
}

rule KK_Name_Drive_Txt
{
    strings:
        $m = "KAKETSUKE-DRIVE-MARKER"
    condition:
        $m and filename == "drive.txt" and extension == ".txt"
}

rule KK_Name_Upper_Drive
{
    strings:
        $m = "KAKETSUKE-DRIVE-MARKER"
    condition:
        $m and filename == "DRIVE.TXT" and extension == ".txt"
}

rule KK_Name_NonAscii
{
    strings:
        $m = "KAKETSUKE"
    condition:
        $m and filename == "秘密.txt"
}

rule KK_Hostile_Name
{
    strings:
        $m = "KAKETSUKE"
    condition:
        $m and filename matches /^[<=]/
}

rule KK_ADS_Zone_Identifier
{
    strings:
        $m = "KAKETSUKE-ADS-MARKER"
    condition:
        $m and filename matches /:Zone\.Identifier$/ and extension == ".identifier"
}
