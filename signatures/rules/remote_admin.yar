/*
 * kaketsuke bundled signatures: remote monitoring and management (RMM) tools.
 * Legitimate products that intruders install for hands-on access (CISA
 * AA23-025A).  They are reported so the engineer can ask "who installed this
 * and when?", never as malware: every rule here scores at most 40.
 * Each rule needs the product name together with the vendor's name or a
 * product-specific component, inside an executable (or the tool's own
 * configuration file).
 */

rule RMM_AnyDesk
{
    meta:
        category = "remote-admin-tool"
        family = "AnyDesk"
        score = 35
        description = "AnyDesk remote desktop executable"
        description_ja = "AnyDesk(リモートデスクトップ)の実行ファイル。正規利用もあるが侵入者が多用する"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-025a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "AnyDesk" ascii wide
        $v1 = "philandro Software GmbH" ascii wide
        $v2 = "AnyDesk Software GmbH" ascii wide
        $v3 = "anydesk.com" ascii wide
        $v4 = "ad.anynet" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 30MB and $n1 and 2 of ($v*)
}

rule RMM_AnyDesk_Config
{
    meta:
        category = "remote-admin-tool"
        family = "AnyDesk"
        score = 30
        description = "AnyDesk configuration (system.conf / service.conf): shows AnyDesk was installed and its address"
        description_ja = "AnyDesk の設定ファイル(system.conf/service.conf)。導入の痕跡とアドレスが分かる"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-025a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $c1 = "ad.anynet.id=" ascii
        $c2 = "ad.anynet.cert=" ascii
        $c3 = "ad.anynet.pwd_hash=" ascii
        $c4 = "ad.anynet.pwd_salt=" ascii
        $c5 = "ad.anynet.alias=" ascii
    condition:
        filesize < 1MB and 2 of them
}

rule RMM_ScreenConnect
{
    meta:
        category = "remote-admin-tool"
        family = "ScreenConnect"
        score = 35
        description = "ConnectWise ScreenConnect (Control) client or installer"
        description_ja = "ConnectWise ScreenConnect(旧Control)のクライアント・インストーラ"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-025a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "ScreenConnect" ascii wide
        $v1 = "ScreenConnect.Client" ascii wide
        $v2 = "ScreenConnect.WindowsClient" ascii wide
        $v3 = "ConnectWise" ascii wide
        $v4 = "ScreenConnect Client (" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 100MB and $n1 and 2 of ($v*)
}

rule RMM_Atera
{
    meta:
        category = "remote-admin-tool"
        family = "Atera"
        score = 35
        description = "Atera RMM agent"
        description_ja = "Atera(RMMエージェント)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-025a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "AteraAgent" ascii wide
        $v1 = "Atera Networks" ascii wide
        $v2 = "agent-api.atera.com" ascii wide
        $v3 = "AteraAgent.exe" ascii wide
        $v4 = "IntegratorLogin" ascii wide
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0xE011CFD0) and filesize < 100MB and $n1 and 2 of ($v*)
}

rule RMM_Splashtop
{
    meta:
        category = "remote-admin-tool"
        family = "Splashtop"
        score = 30
        description = "Splashtop Streamer / remote support executable"
        description_ja = "Splashtop(リモートサポート)の実行ファイル"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-025a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "Splashtop" ascii wide
        $v1 = "Splashtop Inc" ascii wide
        $v2 = "SRService" ascii wide
        $v3 = "Splashtop Streamer" ascii wide
        $v4 = "SRManager" ascii wide
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0xE011CFD0) and filesize < 100MB and $n1 and 2 of ($v*)
}

rule RMM_TeamViewer
{
    meta:
        category = "remote-admin-tool"
        family = "TeamViewer"
        score = 20
        description = "TeamViewer executable (widely used by support vendors; check whether the customer knows about it)"
        description_ja = "TeamViewer の実行ファイル(保守業者の利用も多い。顧客が把握しているか確認)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-025a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "TeamViewer" ascii wide
        $v1 = "TeamViewer Germany GmbH" ascii wide
        $v2 = "TeamViewer GmbH" ascii wide
        $v3 = "TeamViewer_Service" ascii wide
        $v4 = "teamviewer.com" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 100MB and $n1 and 2 of ($v*)
}

rule RMM_RustDesk
{
    meta:
        category = "remote-admin-tool"
        family = "RustDesk"
        score = 35
        description = "RustDesk remote desktop (open source; abused with self-hosted relay servers)"
        description_ja = "RustDesk(オープンソースのリモートデスクトップ。独自中継サーバで悪用される)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-025a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "rustdesk" ascii wide
        $v1 = "RustDesk" ascii wide
        $v2 = "rs-ny.rustdesk.com" ascii wide
        $v3 = "hbb_common" ascii
        $v4 = "librustdesk" ascii wide
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 100MB and $n1 and 2 of ($v*)
}

rule RMM_MeshAgent
{
    meta:
        category = "remote-admin-tool"
        family = "MeshCentral"
        score = 35
        description = "MeshCentral MeshAgent (open-source RMM agent, abused with attacker-run servers)"
        description_ja = "MeshCentral の MeshAgent(オープンソースRMM。攻撃者のサーバで悪用される)"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-025a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "MeshAgent" ascii wide
        $v1 = "MeshCentral" ascii wide
        $v2 = "MeshServer" ascii wide
        $v3 = "meshcmd" ascii wide
        $v4 = "ILibDuktape" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 50MB and $n1 and 2 of ($v*)
}

rule RMM_NetSupport_Manager
{
    meta:
        category = "remote-admin-tool"
        family = "NetSupport Manager"
        score = 40
        description = "NetSupport Manager client (client32), frequently delivered by phishing as 'NetSupport RAT'"
        description_ja = "NetSupport Manager クライアント(client32)。フィッシングで「NetSupport RAT」として配布されることが多い"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-025a"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "NetSupport" ascii wide
        $v1 = "NetSupport Ltd" ascii wide
        $v2 = "client32" nocase ascii wide
        $v3 = "NSM.LIC" nocase ascii wide
        $v4 = "PCICL32" ascii wide
        $c1 = "[HTTP]" ascii
        $c2 = "GatewayAddress=" ascii
        $c3 = "SecondaryGateway=" ascii
    condition:
        filesize < 30MB and (
            (uint16(0) == 0x5A4D and $n1 and 2 of ($v*)) or
            (uint16(0) != 0x5A4D and $c1 and $c2 and $c3)
        )
}

rule RMM_Ngrok_Tunnel
{
    meta:
        category = "remote-admin-tool"
        family = "ngrok"
        score = 40
        description = "ngrok tunnelling agent (exposes RDP/SSH of an internal machine through the internet)"
        description_ja = "ngrok(社内端末のRDP/SSHをインターネットに公開するトンネルツール)"
        reference = "https://attack.mitre.org/techniques/T1572/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "ngrok" ascii
        $v1 = "golang.ngrok.com" ascii
        $v2 = "ngrok.com/download" ascii
        $v3 = "tunnel.us.ngrok.com" ascii
        $v4 = "NGROK_AUTHTOKEN" ascii
        $v5 = "github.com/inconshreveable/ngrok" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 60MB and $n1 and 2 of ($v*)
}

rule RMM_PsExec
{
    meta:
        category = "remote-admin-tool"
        family = "PsExec"
        score = 35
        description = "Sysinternals PsExec or its service PSEXESVC: legitimate admin tool, and the most common lateral-movement tool in ransomware intrusions"
        description_ja = "Sysinternals PsExec(またはそのサービスPSEXESVC)。正規の管理ツールだが、ランサムウェア侵入時の横展開で最も多く使われる"
        reference = "https://attack.mitre.org/software/S0029/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "PSEXESVC" ascii wide
        $v1 = "Sysinternals" ascii wide
        $v2 = "PsExec" ascii wide
        $v3 = "\\\\.\\pipe\\" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 5MB and $n1 and 2 of ($v*)
}
