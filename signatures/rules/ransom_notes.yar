/*
 * kaketsuke bundled signatures: ransom notes.
 * Note texts of the ransomware families most reported by Japanese victims
 * (NPA / IPA statistics: LockBit, Phobos/8Base, Akira, BlackSuit/Royal, Medusa,
 * RansomHub, Qilin, Black Basta, ALPHV) plus two generic rules.
 * Each rule needs several phrases of the note, so that an article or a
 * report that quotes a single sentence does not match; notes are small, so
 * every rule carries a size limit.
 */

rule Ransom_Note_LockBit2
{
    meta:
        category = "ransom-note"
        family = "LockBit 2.0"
        score = 85
        description = "LockBit 2.0 ransom note (Restore-My-Files.txt)"
        description_ja = "LockBit 2.0 の脅迫文(Restore-My-Files.txt)"
        reference = "https://www.ic3.gov/Media/News/2022/220204.pdf"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "LockBit 2.0" nocase
        $n2 = "LockBit_Ransomware" nocase
        $p1 = "All your important files are stolen and encrypted"
        $p2 = "Restore-My-Files.txt"
        $p3 = "Would you like to earn millions of dollars"
        $p4 = "Tor Browser"
        $p5 = ".onion"
    condition:
        filesize < 200KB and 1 of ($n*) and 2 of ($p*)
}

rule Ransom_Note_LockBit3
{
    meta:
        category = "ransom-note"
        family = "LockBit 3.0"
        score = 85
        description = "LockBit 3.0 (LockBit Black) ransom note (<id>.README.txt)"
        description_ja = "LockBit 3.0(LockBit Black)の脅迫文(<ID>.README.txt)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-075a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "LockBit 3.0" nocase
        $n2 = "LockBit Black" nocase
        $n3 = "lockbitapt" nocase
        $p1 = "Your data is stolen and encrypted"
        $p2 = "DECRYPTION ID"
        $p3 = "Tor Browser"
        $p4 = "What guarantee is there that we won't cheat you"
        $p5 = "fastest and most stable ransomware"
        $p6 = ".onion"
    condition:
        filesize < 200KB and 1 of ($n*) and 2 of ($p*)
}

rule Ransom_Note_Phobos_Dharma
{
    meta:
        category = "ransom-note"
        family = "Phobos/8Base/Dharma"
        score = 85
        description = "Phobos, 8Base or Dharma/CrySiS ransom note (info.txt / info.hta / FILES ENCRYPTED.txt); the families share one note template"
        description_ja = "Phobos・8Base・Dharma(CrySiS)系の脅迫文(info.txt / info.hta / FILES ENCRYPTED.txt)。共通のテンプレートを使う"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa24-060b"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $h1 = "All of your files are encrypted" nocase
        $h2 = "All your files have been encrypted" nocase
        $p1 = "due to a security problem with your PC"
        $p2 = "To decrypt them send e-mail to this address"
        $p3 = "Write this ID in the title of your message"
        $p4 = "You have to pay for decryption in Bitcoins"
        $p5 = "Free decryption as guarantee"
        $p6 = "Do not rename encrypted files"
        $p7 = "Do not try to decrypt your data using third party software"
        $p8 = "If you want to restore them, write us to the e-mail"
    condition:
        filesize < 300KB and 1 of ($h*) and 2 of ($p*)
}

rule Ransom_Note_8Base
{
    meta:
        category = "ransom-note"
        family = "8Base"
        score = 85
        description = "8Base ransom note: the Phobos template naming the 8Base group"
        description_ja = "8Base の脅迫文(Phobos系テンプレートに8Baseの名前が入ったもの)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa24-060b"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "8Base" nocase fullword
        $p1 = "All your files have been encrypted" nocase
        $p2 = "All of your files are encrypted" nocase
        $p3 = "Write this ID in the title of your message"
        $p4 = "Do not rename encrypted files"
        $p5 = "decrypt" nocase
    condition:
        filesize < 300KB and $n1 and 3 of ($p*)
}

rule Ransom_Note_Akira
{
    meta:
        category = "ransom-note"
        family = "Akira"
        score = 85
        description = "Akira ransom note (akira_readme.txt)"
        description_ja = "Akira の脅迫文(akira_readme.txt)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa24-109a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $p1 = "Whatever who you are and what your title is"
        $p2 = "internal infrastructure of your company is fully or partially dead"
        $p3 = "all your backups - virtual, physical - everything that we managed to reach - are completely removed"
        $p4 = "akira" nocase
        $p5 = ".onion"
        $p6 = "Hi friends,"
    condition:
        filesize < 100KB and ($p1 or $p2 or $p3) and 2 of ($p4, $p5, $p6)
}

rule Ransom_Note_Royal
{
    meta:
        category = "ransom-note"
        family = "Royal"
        score = 85
        description = "Royal ransom note (README.TXT)"
        description_ja = "Royal の脅迫文(README.TXT)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-061a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $p1 = "it means that your system were hit by Royal ransomware"
        $p2 = "Royal ransomware" nocase
        $p3 = "Please contact us via"
        $p4 = ".onion"
        $p5 = "Tor browser" nocase
        $p6 = "encrypted" nocase
    condition:
        filesize < 100KB and ($p1 or ($p2 and 3 of ($p3, $p4, $p5, $p6)))
}

rule Ransom_Note_BlackSuit
{
    meta:
        category = "ransom-note"
        family = "BlackSuit"
        score = 85
        description = "BlackSuit ransom note (readme.blacksuit.txt), successor of Royal"
        description_ja = "BlackSuit の脅迫文(readme.blacksuit.txt)。Royal の後継"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-061a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "BlackSuit" nocase
        $p1 = "Good whatever time of day it is"
        $p2 = "Your safety service did a really poor job of protecting your files"
        $p3 = "Extortioner named"
        $p4 = ".onion"
        $p5 = "Tor browser" nocase
    condition:
        filesize < 100KB and $n1 and 2 of ($p*)
}

rule Ransom_Note_Medusa
{
    meta:
        category = "ransom-note"
        family = "Medusa"
        score = 85
        description = "Medusa ransom note (!!!READ_ME_MEDUSA!!!.txt)"
        description_ja = "Medusa の脅迫文(!!!READ_ME_MEDUSA!!!.txt)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa25-071a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "MEDUSA" fullword
        $n2 = "READ_ME_MEDUSA"
        $n3 = "medusaxko7jxtrojdkxo66j7ck4q5tgktf7uqsqyfry4ebnxlcbkccyd"
        $p1 = "encrypted" nocase
        $p2 = ".onion"
        $p3 = "Tor Browser" nocase
        $p4 = "decrypt" nocase
    condition:
        filesize < 100KB and 2 of ($n*) and 2 of ($p*)
}

rule Ransom_Note_RansomHub
{
    meta:
        category = "ransom-note"
        family = "RansomHub"
        score = 85
        description = "RansomHub ransom note"
        description_ja = "RansomHub の脅迫文"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa24-242a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "We are the RansomHub"
        $n2 = "RansomHub" fullword
        $p1 = "Your company Servers are locked and Data has been taken to our servers"
        $p2 = "This is a serious issue"
        $p3 = ".onion"
        $p4 = "Tor Browser" nocase
        $p5 = "Client ID" nocase
    condition:
        filesize < 100KB and ($n1 or $n2) and 2 of ($p*)
}

rule Ransom_Note_Qilin
{
    meta:
        category = "ransom-note"
        family = "Qilin"
        score = 85
        description = "Qilin (Agenda) ransom note (README-RECOVER-<ext>.txt)"
        description_ja = "Qilin(Agenda)の脅迫文(README-RECOVER-<拡張子>.txt)"
        reference = "https://attack.mitre.org/techniques/T1486/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "-- Qilin"
        $n2 = "Qilin" fullword
        $p1 = "Your network/system was encrypted"
        $p2 = "Encrypted files have new extension"
        $p3 = "-- Compromising and sensitive data"
        $p4 = "We have downloaded compromising and sensitive data from you system/network"
        $p5 = "-- Credentials"
        $p6 = ".onion"
    condition:
        filesize < 100KB and ($n1 or $n2) and 2 of ($p*)
}

rule Ransom_Note_BlackBasta
{
    meta:
        category = "ransom-note"
        family = "Black Basta"
        score = 85
        description = "Black Basta ransom note (readme.txt)"
        description_ja = "Black Basta の脅迫文(readme.txt)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa24-131a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $p1 = "Your data are stolen and encrypted"
        $p2 = "The data will be published on TOR website if you do not pay the ransom"
        $p3 = "You can contact us and decrypt one file for free on this TOR site"
        $p4 = "Your company id for log in:"
        $p5 = ".onion"
        $p6 = "basta" nocase
    condition:
        filesize < 50KB and $p1 and 2 of ($p2, $p3, $p4, $p5, $p6)
}

rule Ransom_Note_ALPHV_BlackCat
{
    meta:
        category = "ransom-note"
        family = "ALPHV/BlackCat"
        score = 85
        description = "ALPHV (BlackCat) ransom note (RECOVER-<ext>-FILES.txt)"
        description_ja = "ALPHV(BlackCat)の脅迫文(RECOVER-<拡張子>-FILES.txt)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-353a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $p1 = ">> Introduction"
        $p2 = "Important files on your system was ENCRYPTED and now they have"
        $p3 = ">> Sensitive Data"
        $p4 = ">> CAUTION"
        $p5 = ">> Recovery procedure"
        $p6 = ">> What should I do next?"
    condition:
        filesize < 100KB and 3 of them
}

rule Ransom_Note_Hive
{
    meta:
        category = "ransom-note"
        family = "Hive"
        score = 85
        description = "Hive ransom note (HOW_TO_DECRYPT.txt)"
        description_ja = "Hive の脅迫文(HOW_TO_DECRYPT.txt)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa22-321a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $p1 = "Your network has been breached and all data were encrypted"
        $p2 = "Personal data, financial reports and important documents are ready to disclose"
        $p3 = "HiveLeaks" nocase
        $p4 = "Do not modify, rename or delete *.key"
        $p5 = ".onion"
    condition:
        filesize < 100KB and ($p1 or $p2) and 2 of them
}

rule Ransom_Note_Cl0p
{
    meta:
        category = "ransom-note"
        family = "Cl0p"
        score = 85
        description = "Cl0p ransom note (ClopReadMe.txt / README_README.txt)"
        description_ja = "Cl0p の脅迫文(ClopReadMe.txt など)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-158a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "Cl0p" nocase
        $p1 = "Your network has been penetrated"
        $p2 = "All files on each host in the network have been encrypted with a strong algorithm"
        $p3 = "Backups were either encrypted or deleted"
        $p4 = "DON'T TRY TO DECRYPT YOUR FILES BY YOURSELF" nocase
    condition:
        filesize < 100KB and $n1 and 2 of ($p*)
}

rule Ransom_Note_STOP_Djvu
{
    meta:
        category = "ransom-note"
        family = "STOP/Djvu"
        score = 80
        description = "STOP/Djvu ransom note (_readme.txt), common on home and small-office PCs infected via cracked software"
        description_ja = "STOP/Djvu の脅迫文(_readme.txt)。海賊版ソフト経由で個人・小規模事業所のPCに多い"
        reference = "https://attack.mitre.org/techniques/T1486/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $p1 = "Don't worry, you can return all your files!"
        $p2 = "All your files like pictures, databases, documents and other important are encrypted with strongest encryption and unique key"
        $p3 = "Price of private key and decrypt software is"
        $p4 = "Discount 50% available if you contact us first 72 hours"
        $p5 = "Your personal ID:"
        $p6 = "ATTENTION!"
    condition:
        filesize < 20KB and 3 of them
}

rule Ransom_Note_Makop
{
    meta:
        category = "ransom-note"
        family = "Makop"
        score = 80
        description = "Makop ransom note (readme-warning.txt)"
        description_ja = "Makop の脅迫文(readme-warning.txt)"
        reference = "https://attack.mitre.org/techniques/T1486/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $p1 = "::: Greetings :::"
        $p2 = "Little FAQ:"
        $p3 = "Why my files are encrypted" nocase
        $p4 = "How to decrypt" nocase
        $p5 = "makop" nocase
    condition:
        filesize < 50KB and $p1 and 2 of ($p2, $p3, $p4, $p5)
}

rule Ransom_Note_Generic_English
{
    meta:
        category = "ransom-note"
        family = "generic"
        score = 65
        description = "Text with the typical vocabulary of a ransom note: encrypted files, payment, Tor/onion contact and warnings against recovery attempts"
        description_ja = "脅迫文に典型的な語句(暗号化・支払い・Tor/onion連絡先・復旧の妨害への警告)を多数含むテキスト"
        reference = "https://attack.mitre.org/techniques/T1486/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $e1 = "your files have been encrypted" nocase
        $e2 = "your files are encrypted" nocase
        $e3 = "all your files are encrypted" nocase
        $e4 = "your network has been" nocase
        $e5 = "your data is stolen" nocase
        $e6 = "were encrypted" nocase
        $c1 = "Tor Browser" nocase
        $c2 = ".onion" nocase
        $c3 = "torproject.org" nocase
        $w1 = "do not rename" nocase
        $w2 = "do not try to decrypt" nocase
        $w3 = "third party software" nocase
        $w4 = "third-party software" nocase
        $w5 = "don't try to recover" nocase
        $w6 = "do not modify" nocase
        $m1 = "bitcoin" nocase
        $m2 = "decryption key" nocase
        $m3 = "decrypt one file for free" nocase
        $m4 = "free decryption" nocase
        $m5 = "test decryption" nocase
        $m6 = "leak" nocase
        $m7 = "publish" nocase
        $m8 = "ransom" nocase
        $m9 = "private key" nocase
    condition:
        filesize < 32KB and 1 of ($e*) and 1 of ($c*) and 1 of ($w*) and 3 of ($m*)
}

rule Ransom_Note_Generic_Japanese
{
    meta:
        category = "ransom-note"
        family = "generic"
        score = 65
        description = "Japanese-language ransom note vocabulary: files encrypted, decryption for payment in bitcoin, Tor contact"
        description_ja = "日本語の脅迫文に典型的な語句(暗号化・復号・ビットコインでの支払い・Tor連絡先)を含むテキスト"
        reference = "https://attack.mitre.org/techniques/T1486/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $e1 = "暗号化されました"
        $e2 = "暗号化されています"
        $e3 = "暗号化しました"
        $d1 = "復号"
        $d2 = "復元"
        $m1 = "ビットコイン"
        $m2 = "身代金"
        $m3 = "支払"
        $c1 = ".onion"
        $c2 = "Tor"
        $c3 = "ID:"
    condition:
        filesize < 64KB and 1 of ($e*) and 1 of ($d*) and 2 of ($m*) and $c1 and 1 of ($c2, $c3)
}
