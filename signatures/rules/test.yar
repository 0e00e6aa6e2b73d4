/*
 * kaketsuke bundled signatures: test files.
 * Rules that let an engineer prove, on site, that scanning and reporting work.
 * Both are harmless: the EICAR string is the industry test file, the marker is ours.
 */

rule Test_EICAR_File
{
    meta:
        category = "test"
        family = "EICAR"
        score = 70
        description = "EICAR anti-malware test file (68-byte test string at the start of a small file)"
        description_ja = "EICARテストファイル(ウイルス対策製品の動作確認用の無害な文字列)"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        filesize < 256 and $eicar at 0
}

rule Test_EICAR_Embedded
{
    meta:
        category = "test"
        family = "EICAR"
        score = 40
        description = "EICAR test string inside a larger file, archive member stored without compression, or memory"
        description_ja = "EICARテスト文字列がファイル内部(無圧縮アーカイブやメモリ等)に含まれる"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar and not (filesize < 256 and $eicar at 0)
}

rule Test_Kaketsuke_Marker
{
    meta:
        category = "test"
        family = "kaketsuke"
        score = 40
        description = "kaketsuke field test marker: put this line in any file to check that a scan reports it"
        description_ja = "kaketsuke動作確認用マーカー(任意のファイルにこの行を書き込むと検知される)"
        reference = "docs/signatures.md"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $marker = "KAKETSUKE-SIGNATURE-TEST-7c2e91d4-not-malware"
    condition:
        filesize < 512MB and $marker
}
