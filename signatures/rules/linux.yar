/*
 * kaketsuke bundled signatures: Linux server threats.
 * What turns up on the rented VPS and on-premises Linux boxes of small
 * businesses: Kinsing and other miner droppers, cron and systemd
 * persistence, SSH key injection (often through an exposed Redis), log
 * wiping and LD_PRELOAD rootkits.
 */

rule Linux_Kinsing_Dropper_Script
{
    meta:
        category = "loader"
        family = "Kinsing"
        score = 85
        description = "Kinsing dropper shell script (d.sh/spr.sh): downloads the kinsing agent and the kdevtmpfsi miner, kills competitors"
        description_ja = "Kinsing のドロッパーシェルスクリプト(kinsing本体とkdevtmpfsiマイナーを取得し競合を停止)"
        reference = "https://attack.mitre.org/software/S0599/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $k1 = "kinsing" ascii
        $k2 = "kdevtmpfsi" ascii
        $d1 = "curl" ascii
        $d2 = "wget" ascii
        $x1 = "chmod +x" ascii
        $x2 = "crontab" ascii
        $x3 = "pkill" ascii
        $x4 = "kill -9" ascii
    condition:
        uint32(0) != 0x464C457F and filesize < 512KB and 1 of ($k*) and 1 of ($d*) and 2 of ($x*)
}

rule Linux_Kinsing_Agent
{
    meta:
        category = "miner"
        family = "Kinsing"
        score = 90
        description = "Kinsing (H2Miner) Go agent: masscan spreading, Redis brute force and backconnect functions"
        description_ja = "Kinsing(H2Miner)本体(Go製: masscanによる拡散・Redis総当たり・バックコネクト)"
        reference = "https://attack.mitre.org/software/S0599/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "main.masscan" ascii
        $s2 = "main.redisBrute" ascii
        $s3 = "main.backconnect" ascii
        $s4 = "main.checkHealth" ascii
        $s5 = "main.runTask" ascii
        $s6 = "-iL $INPUT --rate $RATE -p$PORT -oL $OUTPUT" ascii
        $s7 = "kdevtmpfsi" ascii
    condition:
        uint32(0) == 0x464C457F and filesize < 30MB and 3 of them
}

rule Linux_Miner_Dropper_Script
{
    meta:
        category = "miner"
        family = "generic"
        score = 75
        description = "Shell script that installs a coin miner on a server: downloads it, removes competing miners and weakens the system (SELinux, firewall, immutable files, history)"
        description_ja = "サーバにマイナーを設置するシェルスクリプト(取得・競合マイナー削除・SELinux/FW無効化・ファイル保護・履歴消去)"
        reference = "https://attack.mitre.org/techniques/T1496/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $d1 = "curl " ascii
        $d2 = "wget " ascii
        $m1 = "xmrig" nocase ascii
        $m2 = "stratum+tcp" ascii
        $m3 = "minerd" ascii
        $m4 = "kdevtmpfsi" ascii
        $m5 = "kworkerds" ascii
        $m6 = "c3pool" ascii
        $m7 = "moneroocean" ascii
        $w1 = "setenforce 0" ascii
        $w2 = "ufw disable" ascii
        $w3 = "chattr -i" ascii
        $w4 = "chattr +i" ascii
        $w5 = "history -c" ascii
        $w6 = "nr_hugepages" ascii
        $w7 = "iptables -F" ascii
        $w8 = "/dev/shm/" ascii
        $w9 = "systemctl stop aliyun" ascii
        $w10 = "pkill -f" ascii
    condition:
        uint16(0) == 0x2123 and filesize < 512KB and 1 of ($d*) and 2 of ($m*) and 3 of ($w*)
}

rule Linux_Cron_Download_Execute
{
    meta:
        category = "persistence"
        family = "cron"
        score = 70
        description = "Crontab entry that periodically downloads code and pipes it to a shell (curl|sh, wget -O-|bash, base64 -d|sh)"
        description_ja = "定期的にコードをダウンロードしてシェルに渡すcrontab(curl|sh, wget -O-|bash, base64 -d|sh)"
        reference = "https://attack.mitre.org/techniques/T1053/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $c1 = /(^|\n)(\*|[0-9*\/,\-]{1,12})\s{1,4}(\*|[0-9*\/,\-]{1,12})\s{1,4}\*\s{1,4}\*\s{1,4}\*\s{1,4}(root\s{1,4})?[^\n]{0,64}(curl|wget)[^\n]{1,200}\|\s{0,4}(ba|da)?sh/
        $c2 = /(^|\n)(\*|[0-9*\/,\-]{1,12})\s{1,4}(\*|[0-9*\/,\-]{1,12})\s{1,4}\*\s{1,4}\*\s{1,4}\*\s{1,4}(root\s{1,4})?[^\n]{0,64}base64 -d[^\n]{0,64}\|\s{0,4}(ba|da)?sh/
        $c3 = /(^|\n)@reboot\s{1,4}(root\s{1,4})?[^\n]{0,64}(curl|wget)[^\n]{1,200}\|\s{0,4}(ba|da)?sh/
    condition:
        uint16(0) != 0x5A4D and uint32(0) != 0x464C457F and filesize < 64KB and 1 of them
}

rule Linux_Systemd_Service_Suspicious_Exec
{
    meta:
        category = "persistence"
        family = "systemd"
        score = 65
        description = "systemd unit whose ExecStart runs a program from /tmp, /dev/shm or /var/tmp, or pipes a download into a shell"
        description_ja = "ExecStart が /tmp・/dev/shm・/var/tmp のプログラムを実行する、またはダウンロードをシェルに渡す systemd ユニット"
        reference = "https://attack.mitre.org/techniques/T1543/002/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $u1 = "[Service]" ascii
        $e1 = /ExecStart(Pre|Post)?=[-@+!]{0,2}(\/bin\/(ba)?sh -c ['"]?)?(\/tmp|\/dev\/shm|\/var\/tmp)\/[^\s\/]{1,64}/
        $e2 = /ExecStart(Pre|Post)?=[^\n]{0,64}(curl|wget)[^\n]{1,200}\|\s{0,4}(ba|da)?sh/
        $e3 = /ExecStart(Pre|Post)?=[^\n]{0,64}base64 -d[^\n]{0,64}\|\s{0,4}(ba|da)?sh/
    condition:
        filesize < 64KB and $u1 and 1 of ($e*)
}

rule Linux_SSH_Key_Injection_Script
{
    meta:
        category = "persistence"
        family = "ssh-key-injection"
        score = 75
        description = "Script that appends a hard-coded SSH public key to authorized_keys (often locking it with chattr +i)"
        description_ja = "固定のSSH公開鍵を authorized_keys に追記するスクリプト(chattr +i で保護することが多い)"
        reference = "https://attack.mitre.org/techniques/T1098/004/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $a1 = "authorized_keys" ascii
        $k1 = /echo\s{1,4}["']?(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256) AAAA[0-9A-Za-z+\/]{32}/
        $k2 = /printf\s{1,4}["']?(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256) AAAA[0-9A-Za-z+\/]{32}/
    condition:
        uint32(0) != 0x464C457F and filesize < 256KB and $a1 and 1 of ($k*)
}

rule Linux_Redis_Written_Key_Or_Cron
{
    meta:
        category = "persistence"
        family = "Redis abuse"
        score = 85
        description = "authorized_keys or crontab written through an exposed Redis server (CONFIG SET dir/dbfilename): a Redis RDB dump holding an SSH key or a cron line"
        description_ja = "公開されたRedis経由で書き込まれた authorized_keys / crontab(RedisのRDB形式の中にSSH鍵やcron行がある)"
        reference = "https://attack.mitre.org/techniques/T1098/004/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $rdb = "REDIS00" ascii
        $k1 = "ssh-rsa AAAA" ascii
        $k2 = "ssh-ed25519 AAAA" ascii
        $c1 = /\*\s{1,4}\*\s{1,4}\*\s{1,4}\*\s{1,4}[^\n]{0,64}(curl|wget|\/bin\/(ba)?sh)/
    condition:
        $rdb at 0 and filesize < 1MB and 1 of ($k*, $c*)
}

rule Linux_LD_Preload_Config
{
    meta:
        category = "persistence"
        family = "ld.so.preload"
        score = 60
        description = "/etc/ld.so.preload naming a library: loaded into every process, the usual hook of user-land rootkits and miner hiders (rare on normal servers)"
        description_ja = "/etc/ld.so.preload にライブラリが指定されている(全プロセスに読み込まれる。ユーザーランドrootkitやマイナー隠蔽の常套手段。通常のサーバでは稀)"
        reference = "https://attack.mitre.org/techniques/T1574/006/"
        author = "kaketsuke project"
        date = "2026-11-22"
    condition:
        filename == "ld.so.preload" and filesize > 3 and filesize < 4KB
}

rule Linux_Log_Wipe_Script
{
    meta:
        category = "suspicious"
        family = "anti-forensics"
        score = 60
        description = "Script that erases login records, logs and shell history together (wtmp/btmp/lastlog, /var/log, HISTFILE)"
        description_ja = "ログイン記録・ログ・シェル履歴をまとめて消去するスクリプト(wtmp/btmp/lastlog, /var/log, HISTFILE)"
        reference = "https://attack.mitre.org/techniques/T1070/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $l1 = "/var/log/wtmp" ascii
        $l2 = "/var/log/btmp" ascii
        $l3 = "/var/log/lastlog" ascii
        $l4 = "/var/log/secure" ascii
        $l5 = "/var/log/auth.log" ascii
        $h1 = "history -c" ascii
        $h2 = "unset HISTFILE" ascii
        $h3 = "HISTFILE=/dev/null" ascii
        $h4 = "rm -rf ~/.bash_history" ascii
        $h5 = "export HISTSIZE=0" ascii
        $t1 = "cat /dev/null >" ascii
        $t2 = "> /var/log/" ascii
        $t3 = "rm -rf /var/log" ascii
        $t4 = "shred" fullword ascii
        $t5 = "echo > /var/log/" ascii
    condition:
        uint32(0) != 0x464C457F and filesize < 256KB and 2 of ($l*) and 1 of ($h*) and 1 of ($t*)
}
