/*
 * kaketsuke bundled signatures: cryptocurrency miners.
 * XMRig (by far the most common, on Windows and on exposed Linux servers),
 * its pool configuration and the command lines that start it.
 */

rule Miner_XMRig_Binary
{
    meta:
        category = "miner"
        family = "XMRig"
        score = 75
        description = "XMRig Monero miner executable (Windows or Linux)"
        description_ja = "XMRig(Moneroマイナー)の実行ファイル(Windows/Linux)"
        reference = "https://attack.mitre.org/techniques/T1496/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "xmrig" nocase ascii
        $s1 = "--donate-level" ascii
        $s2 = "stratum+tcp://" ascii
        $s3 = "randomx" nocase ascii
        $s4 = "cryptonight" nocase ascii
        $s5 = "xmrig.com" ascii
        $s6 = "donate.v2.xmrig.com" ascii
        $s7 = "\"max-threads-hint\"" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 30MB and $n1 and 3 of ($s*)
}

rule Miner_Pool_Config
{
    meta:
        category = "miner"
        family = "XMRig"
        score = 70
        description = "Miner configuration (XMRig config.json style) naming pool URLs and a wallet"
        description_ja = "マイナーの設定ファイル(XMRig の config.json 形式: プールURLとウォレット)"
        reference = "https://attack.mitre.org/techniques/T1496/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $j1 = "\"pools\"" ascii
        $j2 = "\"url\"" ascii
        $j3 = "\"user\"" ascii
        $k1 = "\"donate-level\"" ascii
        $k2 = "\"randomx\"" ascii
        $k3 = "\"algo\"" ascii
        $k4 = "\"nicehash\"" ascii
        $k5 = "\"coin\"" ascii
        $p1 = "stratum+tcp://" ascii
        $p2 = "stratum+ssl://" ascii
        $p3 = "supportxmr.com" ascii
        $p4 = "nanopool.org" ascii
        $p5 = "moneroocean.stream" ascii
        $p6 = "hashvault.pro" ascii
        $p7 = "c3pool.com" ascii
        $p8 = "2miners.com" ascii
        $p9 = "minexmr.com" ascii
        $p10 = "xmrpool.eu" ascii
        $p11 = "herominers.com" ascii
    condition:
        uint16(0) != 0x5A4D and filesize < 256KB and all of ($j*) and 2 of ($k*) and 1 of ($p*)
}

rule Miner_Commandline
{
    meta:
        category = "miner"
        family = "XMRig"
        score = 65
        description = "Script or scheduled command that starts a miner against a stratum pool"
        description_ja = "stratumプールに接続してマイナーを起動するスクリプト・コマンド"
        reference = "https://attack.mitre.org/techniques/T1496/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $p1 = "stratum+tcp://" nocase ascii wide
        $p2 = "stratum+ssl://" nocase ascii wide
        $p3 = "stratum+tls://" nocase ascii wide
        $m1 = "xmrig" nocase ascii wide
        $m2 = "minerd" nocase ascii wide
        $m3 = "cpuminer" nocase ascii wide
        $m4 = "--donate-level" ascii wide
        $m5 = "--cpu-priority" ascii wide
        $m6 = "--max-cpu-usage" ascii wide
        $m7 = "--coin=monero" nocase ascii wide
    condition:
        uint16(0) != 0x5A4D and uint32(0) != 0x464C457F and filesize < 1MB and 1 of ($p*) and 1 of ($m*)
}
