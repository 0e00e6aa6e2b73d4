/*
 * kaketsuke bundled signatures: information stealers.
 * Stealer families change names quickly (RedLine, Vidar, Lumma, Stealc,
 * AgentTesla...) but all of them read the same stores: Chromium's
 * "Login Data" with its SQL query, wallet folders, mail and FTP client
 * settings, and they send the loot over Telegram or Discord.  These rules
 * combine such traits so that a browser or a password manager does not match.
 */

rule Stealer_Chromium_Password_Query
{
    meta:
        category = "credential-theft"
        family = "generic-stealer"
        score = 75
        description = "Program or script that reads saved browser passwords: the Chromium 'logins' SQL query with DPAPI/AES key handling"
        description_ja = "ブラウザ保存パスワードを読み出すプログラム(Chromiumのloginsテーブルへの照会とDPAPI/AES鍵の処理)"
        reference = "https://attack.mitre.org/techniques/T1555/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $q1 = "SELECT origin_url, username_value, password_value FROM logins" nocase ascii wide
        $q2 = "SELECT action_url, username_value, password_value FROM logins" nocase ascii wide
        $q3 = "select signon_realm, username_value, password_value from logins" nocase ascii wide
        $k1 = "encrypted_key" ascii wide
        $k2 = "CryptUnprotectData" ascii wide
        $k3 = "Local State" ascii wide
        $k4 = "Login Data" ascii wide
    condition:
        filesize < 30MB and 1 of ($q*) and 2 of ($k*)
}

rule Stealer_Crypto_Wallet_Harvester
{
    meta:
        category = "credential-theft"
        family = "generic-stealer"
        score = 75
        description = "Program that collects many cryptocurrency wallets and browser-extension wallets together with browser data"
        description_ja = "多数の暗号資産ウォレット(ブラウザ拡張含む)とブラウザ情報を収集するプログラム(情報窃取型マルウェア)"
        reference = "https://attack.mitre.org/techniques/T1555/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $w1 = "wallet.dat" ascii wide
        $w2 = "\\Exodus\\exodus.wallet" nocase ascii wide
        $w3 = "\\Electrum\\wallets" nocase ascii wide
        $w4 = "\\Ethereum\\keystore" nocase ascii wide
        $w5 = "nkbihfbeogaeaoehlefnkodbefgpgknn" ascii wide
        $w6 = "\\atomic\\Local Storage\\leveldb" nocase ascii wide
        $w7 = "\\Coinomi\\" nocase ascii wide
        $w8 = "\\Armory\\" nocase ascii wide
        $w9 = "fhbohimaelbohpjbbldcngcnapndodjp" ascii wide
        $w10 = "ibnejdfjmmkpcnlpebklmnkoeoihofec" ascii wide
        $b1 = "Login Data" ascii wide
        $b2 = "Cookies" ascii wide
        $b3 = "Web Data" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 30MB and 3 of ($w*) and 2 of ($b*)
}

rule Stealer_Telegram_Discord_Exfil
{
    meta:
        category = "credential-theft"
        family = "generic-stealer"
        score = 70
        description = "Program or script that uploads collected passwords, cookies or screenshots to a Telegram bot or a Discord webhook"
        description_ja = "収集したパスワード・Cookie・画面をTelegramボットやDiscord Webhookへ送信するプログラム"
        reference = "https://attack.mitre.org/techniques/T1567/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $x1 = "api.telegram.org/bot" ascii wide
        $x2 = "discord.com/api/webhooks/" ascii wide
        $x3 = "discordapp.com/api/webhooks/" ascii wide
        $u1 = "sendDocument" ascii wide
        $d1 = "Login Data" ascii wide
        $d2 = "passwords.txt" nocase ascii wide
        $d3 = "\\Cookies" ascii wide
        $d4 = "wallet.dat" ascii wide
        $d5 = "encrypted_key" ascii wide
        $d6 = "\\Telegram Desktop\\tdata" nocase ascii wide
    condition:
        filesize < 30MB and (($x1 and $u1) or $x2 or $x3) and 2 of ($d*)
}

rule Stealer_Application_Credential_Harvester
{
    meta:
        category = "credential-theft"
        family = "generic-stealer"
        score = 70
        description = "Program that gathers saved credentials of many applications at once (Outlook, FileZilla, WinSCP, Thunderbird, Pidgin, VPN and messenger profiles)"
        description_ja = "多数のアプリ(Outlook, FileZilla, WinSCP, Thunderbird 等)の保存資格情報をまとめて収集するプログラム"
        reference = "https://attack.mitre.org/techniques/T1555/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $a1 = "\\FileZilla\\recentservers.xml" nocase ascii wide
        $a2 = "\\FileZilla\\sitemanager.xml" nocase ascii wide
        $a3 = "\\Martin Prikryl\\WinSCP 2\\Sessions" nocase ascii wide
        $a4 = "IMAP Password" ascii wide
        $a5 = "POP3 Password" ascii wide
        $a6 = "SMTP Password" ascii wide
        $a7 = "\\.purple\\accounts.xml" nocase ascii wide
        $a8 = "\\Thunderbird\\Profiles" nocase ascii wide
        $a9 = "\\Telegram Desktop\\tdata" nocase ascii wide
        $a10 = "\\NordVPN\\" nocase ascii wide
        $a11 = "\\Windows Messaging Subsystem\\Profiles" nocase ascii wide
        $a12 = "\\Mozilla\\Firefox\\Profiles" nocase ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 30MB and 5 of them
}
