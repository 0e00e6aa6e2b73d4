/*
 * Generic rules for the real-world images under $CORPORA and Debian's
 * forensics-samples (tests/integration/30-differential-corpora.sh). They
 * match what those images actually hold, so that comparing kaketsuke with
 * the oracle (tests/oracle/tsk_yara.py) is not vacuous. KKC_Nonempty and
 * KKC_Empty between them match every readable file: the comparison then
 * covers the whole file listing (paths, deleted flags, streams).
 */

rule KKC_Nonempty
{
    condition:
        filesize > 0
}

rule KKC_Empty
{
    condition:
        filesize == 0
}

rule KKC_Text_File
{
    meta:
        description = "dfvfs test tree: a_directory/a_file"
    strings:
        $a = "This is a text file"
    condition:
        $a
}

rule KKC_Another_File
{
    meta:
        description = "dfvfs test tree: a_directory/another_file"
    strings:
        $a = "another file" nocase
    condition:
        $a
}

rule KKC_Password_Word
{
    strings:
        $a = "password" nocase
    condition:
        $a
}

rule KKC_Secret_Word
{
    strings:
        $a = "secret" nocase
    condition:
        $a
}

rule KKC_Debian_Word
{
    strings:
        $a = "debian" nocase
        $w = "debian" nocase wide
    condition:
        any of them
}

rule KKC_Digits_Text
{
    meta:
        description = "small files made of digits and line ends (dfir_ntfs)"
    condition:
        filesize > 0 and filesize < 32 and uint8(0) >= 0x30 and uint8(0) <= 0x39
        and for all i in (0..filesize - 1) : (
            (uint8(i) >= 0x30 and uint8(i) <= 0x39) or uint8(i) == 0x0A or uint8(i) == 0x0D)
}

rule KKC_MZ_Header
{
    condition:
        filesize > 64 and uint16(0) == 0x5A4D
}

rule KKC_ELF_Header
{
    condition:
        filesize > 16 and uint32(0) == 0x464C457F
}

rule KKC_JPEG
{
    condition:
        filesize > 4 and uint16(0) == 0xD8FF
}

rule KKC_PNG
{
    condition:
        filesize > 8 and uint32(0) == 0x474E5089
}

rule KKC_PDF
{
    strings:
        $a = "%PDF-"
    condition:
        $a at 0
}

rule KKC_ZIP_Container
{
    meta:
        description = "zip-based documents (docx, odt)"
    condition:
        filesize > 4 and uint32(0) == 0x04034B50
}

rule KKC_Shell_Script
{
    strings:
        $a = "#!/"
    condition:
        $a at 0
}

rule KKC_Media_Container
{
    meta:
        description = "RIFF (wav, avi), Ogg, MP4/ISO-BMFF, ID3 (mp3)"
    strings:
        $ftyp = "ftyp"
    condition:
        filesize > 12 and (uint32(0) == 0x46464952 or uint32(0) == 0x5367674F
                           or $ftyp at 4 or uint32(0) & 0x00FFFFFF == 0x00334449)
}

rule KKC_EFS_Log
{
    meta:
        description = "NTFS EFS log files on exfat_encrypted"
    condition:
        filename matches /^EFS[0-9]+\.LOG$/
}
