/*
 * kaketsuke bundled signatures: loaders, persistence and suspicious traits
 * on Windows that are not tied to one family: PowerShell download cradles,
 * shortcut (LNK) droppers, hidden scheduled tasks and batch files that
 * switch off Windows Defender.
 */

rule Loader_PowerShell_Encoded_Hidden
{
    meta:
        category = "loader"
        family = "generic"
        score = 50
        description = "PowerShell started hidden with an encoded command or a download cradle (in a script, shortcut, task or event log)"
        description_ja = "非表示でエンコード済みコマンドやダウンロード処理を実行するPowerShell起動(スクリプト・ショートカット・タスク・イベントログ)"
        reference = "https://attack.mitre.org/techniques/T1059/001/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $p = "powershell" nocase ascii wide
        $h1 = "-w hidden" nocase ascii wide
        $h2 = "-windowstyle hidden" nocase ascii wide
        $h3 = "-win hidden" nocase ascii wide
        $h4 = "-W Hidden" ascii wide
        $e1 = " -enc " nocase ascii wide
        $e2 = " -encodedcommand " nocase ascii wide
        $e3 = " -e JAB" ascii wide
        $e4 = " -ec " nocase ascii wide
        $d1 = "DownloadString(" nocase ascii wide
        $d2 = "DownloadFile(" nocase ascii wide
        $d3 = "Invoke-WebRequest" nocase ascii wide
        $d4 = "IEX(" nocase ascii wide
        $d5 = "IEX (" nocase ascii wide
        $d6 = "FromBase64String(" nocase ascii wide
        $d7 = "IO.Compression.GzipStream" nocase ascii wide
        $d8 = "[scriptblock]::create" nocase ascii wide
    condition:
        uint16(0) != 0x5A4D and filesize < 50MB and $p and 1 of ($h*) and (1 of ($e*) or 2 of ($d*))
}

rule Loader_LNK_Script_Dropper
{
    meta:
        category = "loader"
        family = "generic"
        score = 75
        description = "Windows shortcut (.lnk) that launches PowerShell, mshta, or a script host with a download or encoded payload: a common phishing attachment"
        description_ja = "PowerShell・mshta・スクリプトホストでダウンロードや符号化ペイロードを実行するショートカット(.lnk)。フィッシング添付に多い"
        reference = "https://attack.mitre.org/techniques/T1204/002/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $t1 = "powershell" nocase ascii wide
        $t2 = "mshta" nocase ascii wide
        $t3 = "wscript" nocase ascii wide
        $t4 = "cscript" nocase ascii wide
        $t5 = "cmd.exe" nocase ascii wide
        $a1 = "http://" nocase ascii wide
        $a2 = "https://" nocase ascii wide
        $a3 = "DownloadString" nocase ascii wide
        $a4 = "FromBase64String" nocase ascii wide
        $a5 = "-enc" nocase ascii wide
        $a6 = "Invoke-WebRequest" nocase ascii wide
        $a7 = "iwr " nocase ascii wide
        $a8 = "-w hidden" nocase ascii wide
        $a9 = "curl " nocase ascii wide
    condition:
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and filesize < 2MB and 1 of ($t*) and 2 of ($a*)
}

rule Persistence_Scheduled_Task_Hidden_PowerShell
{
    meta:
        category = "persistence"
        family = "scheduled-task"
        score = 60
        description = "Scheduled task definition (XML under System32\\Tasks) that starts encoded or downloading PowerShell, or a hidden task whose command is a program in a user-writable folder"
        description_ja = "エンコード済み・ダウンロード処理付きのPowerShellを起動する、またはユーザー書込み可能フォルダのプログラムを非表示で起動するタスクスケジューラ定義(System32\\Tasks のXML)"
        reference = "https://attack.mitre.org/techniques/T1053/005/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $x1 = "<Task " ascii wide
        $x2 = "<Exec>" ascii wide
        $c1 = "powershell" nocase ascii wide
        $o1 = " -enc" nocase ascii wide
        $o2 = "-w hidden" nocase ascii wide
        $o3 = "-windowstyle hidden" nocase ascii wide
        $o4 = "FromBase64String" nocase ascii wide
        $o5 = "DownloadString" nocase ascii wide
        $h1 = "<Hidden>true</Hidden>" ascii wide
        $t1 = /<Command>[^<]{0,32}(\\AppData\\Local\\Temp\\|\\AppData\\Roaming\\|\\Users\\Public\\|\\Windows\\Temp\\|\\ProgramData\\)[^<]{1,128}\.(exe|bat|cmd|vbs|js|ps1|hta)<\/Command>/ nocase ascii wide
    condition:
        filesize < 256KB and all of ($x*) and (($c1 and 1 of ($o1, $o4, $o5)) or ($t1 and 1 of ($h1, $o2, $o3)))
}

rule Suspicious_Defender_Disable_Script
{
    meta:
        category = "suspicious"
        family = "defense-evasion"
        score = 65
        description = "Script that switches off Windows Defender protections (Set-MpPreference -Disable..., exclusions for whole drives, DisableAntiSpyware), as done before ransomware deployment"
        description_ja = "Windows Defender の保護を無効化するスクリプト(Set-MpPreference -Disable..., ドライブ全体の除外, DisableAntiSpyware)。ランサムウェア展開前によく行われる"
        reference = "https://attack.mitre.org/techniques/T1562/001/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $m1 = "-DisableRealtimeMonitoring $true" nocase ascii wide
        $m2 = "-DisableBehaviorMonitoring $true" nocase ascii wide
        $m3 = "-DisableIOAVProtection $true" nocase ascii wide
        $m4 = "-DisableScriptScanning $true" nocase ascii wide
        $m5 = "-ExclusionPath C:\\" nocase ascii wide
        $m6 = "DisableAntiSpyware" nocase ascii wide
        $m7 = "-DisableBlockAtFirstSeen $true" nocase ascii wide
        $m9 = "sc stop WinDefend" nocase ascii wide
        $m10 = "sc config WinDefend start= disabled" nocase ascii wide
    condition:
        uint16(0) != 0x5A4D and filesize < 512KB and 3 of them
}
