/*
 * kaketsuke bundled signatures: ransomware programs and encrypted files.
 * Encryptor binaries: an executable header plus the family's note name or
 * extension plus a second, independent trait.  Encrypted-file markers: byte
 * patterns the encryptor writes into every file it encrypts.  Extensions of
 * encrypted files are in signatures/iocs/filename-iocs.txt and
 * signatures/data/ransomware-extensions.txt.
 */

rule Ransom_Recovery_Inhibit_Binary
{
    meta:
        category = "ransomware"
        family = "generic"
        score = 75
        description = "Executable carrying several commands that destroy Windows recovery options (shadow copies, backup catalog, boot recovery), typical of ransomware"
        description_ja = "Windowsの復旧手段(シャドウコピー・バックアップカタログ・回復モード)を破壊するコマンドを複数含む実行ファイル。ランサムウェアに典型的"
        reference = "https://attack.mitre.org/techniques/T1490/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $v1 = "vssadmin delete shadows" nocase ascii wide
        $v2 = "vssadmin.exe delete shadows" nocase ascii wide
        $v3 = "shadowcopy delete" nocase ascii wide
        $b1 = "recoveryenabled no" nocase ascii wide
        $b2 = "bootstatuspolicy ignoreallfailures" nocase ascii wide
        $w1 = "wbadmin delete catalog" nocase ascii wide
        $w2 = "delete systemstatebackup" nocase ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 30MB and 1 of ($v*) and 1 of ($b*, $w*) and 3 of them
}

rule Ransom_Recovery_Inhibit_Script
{
    meta:
        category = "ransomware"
        family = "generic"
        score = 70
        description = "Small script that deletes shadow copies and disables boot recovery together, as run before encryption"
        description_ja = "シャドウコピー削除と回復モード無効化をまとめて行う小さなスクリプト。暗号化前の準備として実行される"
        reference = "https://attack.mitre.org/techniques/T1490/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $d1 = "vssadmin delete shadows" nocase ascii wide
        $d2 = "vssadmin.exe delete shadows" nocase ascii wide
        $d3 = "shadowcopy delete" nocase ascii wide
        $d4 = "resize shadowstorage" nocase ascii wide
        $b1 = "recoveryenabled no" nocase ascii wide
        $b2 = "bootstatuspolicy ignoreallfailures" nocase ascii wide
        $b3 = "wbadmin delete catalog" nocase ascii wide
        $b4 = "delete systemstatebackup" nocase ascii wide
        $b5 = "wevtutil cl" nocase ascii wide
    condition:
        uint16(0) != 0x5A4D and filesize < 256KB and 1 of ($d*) and 2 of ($b*)
}

rule Ransom_LockBit_Encryptor
{
    meta:
        category = "ransomware"
        family = "LockBit"
        score = 90
        description = "LockBit encryptor (Windows, Linux or ESXi build): LockBit note or log names with encryptor traits"
        description_ja = "LockBit の暗号化プログラム(Windows/Linux/ESXi版)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-075a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "Restore-My-Files.txt" nocase ascii wide
        $n2 = "LockBit_Ransomware.hta" nocase ascii wide
        $n3 = "Executable=LockBit/locker_" ascii
        $n4 = "/tmp/locker.log" ascii
        $n5 = "LockBit 3.0" ascii wide
        $n6 = "http://lockbit" ascii wide
        $t1 = "vssadmin" nocase ascii wide
        $t2 = "bcdedit" nocase ascii wide
        $t3 = ".onion" ascii wide
        $t4 = "esxcli" ascii
        $t5 = "vim-cmd" ascii
        $t6 = "encrypt" nocase ascii wide
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 20MB
        and 1 of ($n*) and 2 of ($t*)
}

rule Ransom_Akira_Encryptor
{
    meta:
        category = "ransomware"
        family = "Akira"
        score = 90
        description = "Akira encryptor (Windows or Linux/ESXi): note name, .akira extension and its command-line options"
        description_ja = "Akira の暗号化プログラム(Windows/Linux・ESXi版)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa24-109a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "akira_readme.txt" ascii wide
        $n2 = ".akira" fullword ascii wide
        $n3 = ".powerranges" ascii wide
        $a1 = "--encryption_path" ascii wide
        $a2 = "--share_file" ascii wide
        $a3 = "--encryption_percent" ascii wide
        $a4 = "-localonly" ascii wide
        $a5 = "Whatever who you are and what your title is" ascii wide
        $a6 = ".onion" ascii wide
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 20MB
        and 1 of ($n*) and 2 of ($a*)
}

rule Ransom_Royal_BlackSuit_Encryptor
{
    meta:
        category = "ransomware"
        family = "Royal/BlackSuit"
        score = 90
        description = "Royal or BlackSuit encryptor: note name, extension and embedded note text"
        description_ja = "Royal/BlackSuit の暗号化プログラム"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-061a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "readme.blacksuit.txt" nocase ascii wide
        $n2 = ".blacksuit" ascii wide
        $n3 = ".royal_w" ascii wide
        $n4 = ".royal_u" ascii wide
        $n5 = "Royal ransomware" ascii wide
        $t1 = "README.TXT" ascii wide
        $t2 = ".onion" ascii wide
        $t3 = "vssadmin" nocase ascii wide
        $t4 = "Good whatever time of day it is" ascii wide
        $t5 = "-encryptionPercent" ascii wide
        $t6 = "esxcli" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 20MB
        and 1 of ($n*) and 2 of ($t*)
}

rule Ransom_Medusa_Encryptor
{
    meta:
        category = "ransomware"
        family = "Medusa"
        score = 90
        description = "Medusa encryptor (gaze.exe): note name and .MEDUSA extension with recovery-inhibit commands"
        description_ja = "Medusa の暗号化プログラム(gaze.exe 等)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa25-071a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "!!!READ_ME_MEDUSA!!!" ascii wide
        $n2 = ".MEDUSA" fullword ascii wide
        $t1 = "vssadmin" nocase ascii wide
        $t2 = "Delete Shadows" nocase ascii wide
        $t3 = "net stop" nocase ascii wide
        $t4 = "taskkill" nocase ascii wide
        $t5 = ".onion" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 20MB and $n1 and ($n2 or 2 of ($t*))
}

rule Ransom_BlackBasta_Encryptor
{
    meta:
        category = "ransomware"
        family = "Black Basta"
        score = 90
        description = "Black Basta encryptor: .basta extension with its icon and wallpaper file names or its note text"
        description_ja = "Black Basta の暗号化プログラム"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa24-131a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = ".basta" fullword ascii wide
        $t1 = "fkdjsadasd.ico" ascii wide
        $t2 = "dlaksjdoiwq.jpg" ascii wide
        $t3 = "Your data are stolen and encrypted" ascii wide
        $t4 = "readme.txt" ascii wide
        $t5 = ".onion" ascii wide
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 20MB
        and $n1 and 2 of ($t*)
}

rule Ransom_Qilin_Encryptor
{
    meta:
        category = "ransomware"
        family = "Qilin"
        score = 90
        description = "Qilin (Agenda) encryptor: its note template and name inside an executable"
        description_ja = "Qilin(Agenda)の暗号化プログラム"
        reference = "https://attack.mitre.org/techniques/T1486/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "README-RECOVER-" ascii wide
        $t1 = "-- Qilin" ascii wide
        $t2 = "Your network/system was encrypted" ascii wide
        $t3 = "Encrypted files have new extension" ascii wide
        $t4 = "--password" ascii wide
        $t5 = ".onion" ascii wide
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 30MB
        and $n1 and 2 of ($t*)
}

rule Ransom_WannaCry_Encryptor
{
    meta:
        category = "ransomware"
        family = "WannaCry"
        score = 95
        description = "WannaCry (WanaCrypt0r) worm/encryptor, still found on unpatched Windows machines"
        description_ja = "WannaCry(WanaCrypt0r)。パッチ未適用のWindowsで今も見つかる"
        reference = "https://attack.mitre.org/software/S0366/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "WNcry@2ol7" ascii wide
        $s2 = "tasksche.exe" ascii wide
        $s3 = "WANACRY!" ascii
        $s4 = "@WanaDecryptor@" ascii wide
        $s5 = "@Please_Read_Me@.txt" ascii wide
        $s6 = "mssecsvc.exe" ascii wide
        $s7 = ".wnry" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 10MB and 3 of them
}

rule Ransom_ESXi_Encryptor_Generic
{
    meta:
        category = "ransomware"
        family = "generic"
        score = 80
        description = "Linux executable that stops virtual machines on VMware ESXi and encrypts their disks, as ESXi ransomware does"
        description_ja = "VMware ESXi上の仮想マシンを停止し仮想ディスクを暗号化するLinux実行ファイル(ESXi向けランサムウェア)"
        reference = "https://attack.mitre.org/techniques/T1486/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $v1 = "esxcli vm process kill" ascii
        $v2 = "vim-cmd vmsvc/getallvms" ascii
        $v3 = "vim-cmd vmsvc/power.off" ascii
        $v4 = "esxcli vm process list" ascii
        $f1 = ".vmdk" ascii
        $f2 = ".vmx" ascii
        $f3 = ".vmem" ascii
        $r1 = "encrypt" nocase ascii
        $r2 = ".onion" ascii
        $r3 = "ransom" nocase ascii
        $r4 = "readme" nocase ascii
    condition:
        uint32(0) == 0x464C457F and filesize < 20MB and 1 of ($v*) and 2 of ($f*) and 2 of ($r*)
}

rule Ransom_Babuk_Encrypted_File
{
    meta:
        category = "ransomware"
        family = "Babuk"
        score = 80
        description = "File encrypted by Babuk or a Babuk-derived ESXi encryptor: the fixed marker appended to every encrypted file"
        description_ja = "Babuk(およびその派生ESXi版)で暗号化されたファイル(末尾に固定のマーカー文字列)"
        reference = "https://attack.mitre.org/techniques/T1486/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $m = "choung dong looks like hot dog!!"
    condition:
        $m in (filesize - 64 .. filesize)
}

rule Ransom_WannaCry_Encrypted_File
{
    meta:
        category = "ransomware"
        family = "WannaCry"
        score = 80
        description = "File encrypted by WannaCry (starts with the WANACRY! header)"
        description_ja = "WannaCry で暗号化されたファイル(先頭が WANACRY! ヘッダ)"
        reference = "https://attack.mitre.org/software/S0366/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $m = { 57 41 4E 41 43 52 59 21 00 01 00 00 }
    condition:
        $m at 0
}

rule Ransom_STOP_Djvu_Encrypted_File
{
    meta:
        category = "ransomware"
        family = "STOP/Djvu"
        score = 80
        description = "File encrypted by STOP/Djvu: its fixed GUID marker at the end of the file"
        description_ja = "STOP/Djvu で暗号化されたファイル(末尾に固定GUIDマーカー)"
        reference = "https://attack.mitre.org/techniques/T1486/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $m = "{36A698B9-D67C-4E07-BE82-0EC5B14B4DF5}"
    condition:
        $m in (filesize - 128 .. filesize)
}
