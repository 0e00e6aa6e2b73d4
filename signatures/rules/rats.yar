/*
 * kaketsuke bundled signatures: remote access trojans.
 * Commodity RATs that reach Japanese companies through phishing mail
 * (AsyncRAT, Remcos, njRAT, Quasar).  They are .NET or C++ programs whose
 * configuration names and protocol strings are stable across builds.
 */

rule RAT_AsyncRAT
{
    meta:
        category = "rat"
        family = "AsyncRAT"
        score = 85
        description = "AsyncRAT (or a fork such as DcRat): .NET client with its settings fields and plugin protocol"
        description_ja = "AsyncRAT(およびDcRat等の派生)の.NETクライアント"
        reference = "https://attack.mitre.org/software/S1087/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "AsyncRAT" ascii wide
        $n2 = "AsyncClient" ascii wide
        $s1 = "Pastebin" ascii wide
        $s2 = "BDOS" ascii wide
        $s3 = "Anti_Analysis" ascii wide
        $s4 = "Antivirus" ascii wide
        $s5 = "Plugin" fullword ascii wide
        $s6 = "MTX" fullword ascii wide
        $s7 = "Server_Certificate" ascii wide
        $s8 = "Serversignature" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 10MB and 1 of ($n*) and 4 of ($s*)
}

rule RAT_Remcos
{
    meta:
        category = "rat"
        family = "Remcos"
        score = 85
        description = "Remcos remote access tool used as a RAT: vendor string, mutex and keylogger/log names"
        description_ja = "Remcos(遠隔操作型マルウェアとして悪用される)"
        reference = "https://attack.mitre.org/software/S0332/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "Remcos" ascii wide
        $s1 = "Breaking-Security.Net" nocase ascii wide
        $s2 = "Remcos_Mutex_Inj" ascii wide
        $s3 = "remcos" fullword ascii wide
        $s4 = "[Following text has been pasted from clipboard:]" ascii wide
        $s5 = "licence_code.txt" ascii wide
        $s6 = "Keylogger Started" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 10MB and $n1 and 2 of ($s*)
}

rule RAT_njRAT
{
    meta:
        category = "rat"
        family = "njRAT"
        score = 85
        description = "njRAT (Bladabindi): its field separator, zone-check bypass and firewall exception commands"
        description_ja = "njRAT(Bladabindi)遠隔操作型マルウェア"
        reference = "https://attack.mitre.org/software/S0385/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "|'|'|" ascii wide
        $s2 = "SEE_MASK_NOZONECHECKS" ascii wide
        $s3 = "netsh firewall add allowedprogram" nocase ascii wide
        $s4 = "netsh firewall delete allowedprogram" nocase ascii wide
        $s5 = "cmd.exe /c ping 0 -n 2 & del" nocase ascii wide
        $s6 = "[ENTER]" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 5MB and $s1 and 2 of ($s2, $s3, $s4, $s5, $s6)
}

rule RAT_QuasarRAT
{
    meta:
        category = "rat"
        family = "QuasarRAT"
        score = 85
        description = "Quasar RAT .NET client (namespaces and message types of the open-source RAT)"
        description_ja = "Quasar RAT(オープンソースの遠隔操作ツール。悪用が多い)の.NETクライアント"
        reference = "https://attack.mitre.org/software/S0262/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "Quasar.Client" ascii wide
        $n2 = "Quasar.Common" ascii wide
        $n3 = "xClient" ascii wide
        $s1 = "GetKeyloggerLogs" ascii wide
        $s2 = "DoShellExecute" ascii wide
        $s3 = "GetPasswords" ascii wide
        $s4 = "DoRemoteDesktop" ascii wide
        $s5 = "ReverseProxy" ascii wide
        $s6 = "GetSystemInfo" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 10MB and 1 of ($n*) and 3 of ($s*)
}
