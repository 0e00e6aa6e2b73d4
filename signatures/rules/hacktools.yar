/*
 * kaketsuke bundled signatures: hacktools and post-exploitation.
 * Credential dumping (Mimikatz, LSASS dumps, Rubeus, LaZagne), lateral
 * movement (Impacket, PsExec-style services), C2 frameworks (Cobalt Strike,
 * Sliver, Metasploit), tunnels and privilege escalation.  Tools are matched
 * in their binaries and, where attackers leave them, in scripts, command
 * logs and event logs (UTF-16: the strings are "ascii wide").
 */

rule HackTool_Mimikatz_Binary
{
    meta:
        category = "credential-theft"
        family = "Mimikatz"
        score = 90
        description = "Mimikatz (or a build of it): credential dumping tool, module names and author strings"
        description_ja = "Mimikatz(認証情報窃取ツール)の実行ファイル"
        reference = "https://attack.mitre.org/software/S0002/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "sekurlsa" ascii wide
        $s2 = "logonpasswords" nocase ascii wide
        $s3 = "gentilkiwi" ascii wide
        $s4 = "Benjamin DELPY" ascii wide
        $s5 = "mimikatz" nocase ascii wide
        $s6 = "lsadump" ascii wide
        $s7 = "kerberos::golden" ascii wide
        $s8 = "A La Vie, A L'Amour" ascii wide
        $s9 = "mimilib" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 20MB and 4 of them
}

rule HackTool_Mimikatz_Commands
{
    meta:
        category = "credential-theft"
        family = "Mimikatz"
        score = 80
        description = "Script, command history or log with Mimikatz commands (Invoke-Mimikatz, batch files, console logs)"
        description_ja = "Mimikatzのコマンドを含むスクリプト・コマンド履歴・ログ(Invoke-Mimikatz 等)"
        reference = "https://attack.mitre.org/software/S0002/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $c1 = "sekurlsa::logonpasswords" nocase ascii wide
        $c2 = "privilege::debug" nocase ascii wide
        $c3 = "lsadump::sam" nocase ascii wide
        $c4 = "lsadump::dcsync" nocase ascii wide
        $c5 = "lsadump::lsa" nocase ascii wide
        $c6 = "sekurlsa::minidump" nocase ascii wide
        $c7 = "sekurlsa::pth" nocase ascii wide
        $c8 = "kerberos::ptt" nocase ascii wide
        $c9 = "token::elevate" nocase ascii wide
        $c10 = "Invoke-Mimikatz" nocase ascii wide
    condition:
        uint16(0) != 0x5A4D and filesize < 50MB and 2 of them
}

rule HackTool_Mimikatz_Output
{
    meta:
        category = "credential-theft"
        family = "Mimikatz"
        score = 85
        description = "Saved output of Mimikatz sekurlsa::logonpasswords: dumped user names with NTLM/SHA1 hashes or passwords"
        description_ja = "Mimikatz sekurlsa::logonpasswords の出力結果(ユーザー名とNTLMハッシュ・パスワード)"
        reference = "https://attack.mitre.org/techniques/T1003/001/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $o1 = "Authentication Id :" ascii wide
        $o2 = "Logon Server      :" ascii wide
        $o3 = "* Username :" ascii wide
        $o4 = "* NTLM     :" ascii wide
        $o5 = "* SHA1     :" ascii wide
        $o6 = "* Password :" ascii wide
        $o7 = "msv :" fullword ascii wide
        $o8 = "wdigest :" fullword ascii wide
    condition:
        filesize < 50MB and $o1 and 3 of ($o*)
}

rule HackTool_LSASS_Dump_Commands
{
    meta:
        category = "credential-theft"
        family = "LSASS dump"
        score = 80
        description = "Command line or PowerShell that dumps LSASS memory (comsvcs.dll MiniDump, procdump -ma lsass, Out-Minidump): found in scripts, histories and event logs"
        description_ja = "LSASSのメモリをダンプするコマンド(comsvcs.dll MiniDump, procdump -ma lsass)。スクリプト・履歴・イベントログに残る"
        reference = "https://attack.mitre.org/techniques/T1003/001/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $c1 = "comsvcs.dll, MiniDump" nocase ascii wide
        $c2 = "comsvcs.dll,MiniDump" nocase ascii wide
        $c3 = "comsvcs.dll #24" nocase ascii wide
        $c4 = "comsvcs.dll,#24" nocase ascii wide
        $c5 = "comsvcs.dll, #24" nocase ascii wide
        $c6 = "-ma lsass" nocase ascii wide
        $c7 = "-accepteula -ma lsass" nocase ascii wide
        $p1 = "Get-Process lsass" nocase ascii wide
        $p2 = "MiniDumpWriteDump" ascii wide
    condition:
        filesize < 100MB and (1 of ($c*) or all of ($p*))
}

rule HackTool_NTDS_SAM_Theft_Commands
{
    meta:
        category = "credential-theft"
        family = "NTDS/SAM theft"
        score = 75
        description = "Commands that copy the Active Directory database or the SAM/SYSTEM hives for offline cracking (ntdsutil ifm, reg save, shadow copy copies of ntds.dit)"
        description_ja = "ADデータベースやSAM/SYSTEMハイブを持ち出すコマンド(ntdsutil ifm, reg save, シャドウコピーからのntds.dit複製)"
        reference = "https://attack.mitre.org/techniques/T1003/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "ac i ntds" nocase ascii wide
        $n2 = "activate instance ntds" nocase ascii wide
        $n3 = "create full" nocase ascii wide
        $n4 = "ntdsutil" nocase ascii wide
        $r1 = "reg save hklm\\sam" nocase ascii wide
        $r2 = "reg save hklm\\system" nocase ascii wide
        $r3 = "reg save hklm\\security" nocase ascii wide
        $v1 = "\\Windows\\NTDS\\ntds.dit" nocase ascii wide
        $v2 = "GLOBALROOT\\Device\\HarddiskVolumeShadowCopy" nocase ascii wide
    condition:
        uint16(0) != 0x5A4D and filesize < 50MB and
        ((($n1 or $n2) and $n3 and $n4) or 2 of ($r*) or ($v1 and $v2))
}

rule HackTool_Rubeus
{
    meta:
        category = "credential-theft"
        family = "Rubeus"
        score = 85
        description = "Rubeus Kerberos abuse tool (.NET): ticket requests, Kerberoasting, AS-REP roasting"
        description_ja = "Rubeus(Kerberos悪用ツール: チケット窃取・Kerberoasting 等)"
        reference = "https://attack.mitre.org/software/S1071/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "Rubeus" ascii wide
        $s1 = "[*] Action: Ask TGT" ascii wide
        $s2 = "asreproast" ascii wide
        $s3 = "kerberoast" ascii wide
        $s4 = "asktgt" ascii wide
        $s5 = "s4u" fullword ascii wide
        $s6 = "/ticket:" ascii wide
        $s7 = "harmj0y" ascii wide
        $s8 = "[*] Action: " ascii wide
    condition:
        filesize < 20MB and $n1 and 4 of ($s*)
}

rule HackTool_Impacket_Scripts
{
    meta:
        category = "hacktool"
        family = "Impacket"
        score = 70
        description = "Impacket lateral-movement or secrets-dumping script, or a packed executable built from one (secretsdump, wmiexec, smbexec, psexec, atexec, dcomexec)"
        description_ja = "Impacket の横展開・認証情報取得スクリプト(またはそれを固めた実行ファイル)"
        reference = "https://attack.mitre.org/software/S0357/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $i1 = "from impacket" ascii
        $i2 = "impacket.smbconnection" ascii
        $i3 = "impacket.dcerpc.v5" ascii
        $t1 = "secretsdump" ascii
        $t2 = "wmiexec" ascii
        $t3 = "smbexec" ascii
        $t4 = "psexec" ascii
        $t5 = "atexec" ascii
        $t6 = "dcomexec" ascii
        $t7 = "RemoteOperations" ascii
        $t8 = "NTDSHashes" ascii
    condition:
        filesize < 40MB and 1 of ($i*) and 2 of ($t*)
}

rule HackTool_Impacket_Exec_Traces
{
    meta:
        category = "hacktool"
        family = "Impacket"
        score = 80
        description = "Traces of Impacket wmiexec/smbexec remote execution: output redirected to ADMIN$/C$ on 127.0.0.1, smbexec's execute.bat or default service name (event logs, histories)"
        description_ja = "Impacket wmiexec/smbexec によるリモート実行の痕跡(127.0.0.1のADMIN$/C$への出力リダイレクト、execute.bat 等。イベントログ等に残る)"
        reference = "https://attack.mitre.org/techniques/T1021/002/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $w1 = "1> \\\\127.0.0.1\\ADMIN$\\__" nocase ascii wide
        $s1 = "\\\\127.0.0.1\\C$\\__output" nocase ascii wide
        $s2 = "%TEMP%\\execute.bat" nocase ascii wide
        $s3 = "BTOBTO" ascii wide
        $s4 = "2^>^&1 > %TEMP%\\execute.bat" nocase ascii wide
    condition:
        filesize < 200MB and ($w1 or 2 of ($s*))
}

rule HackTool_PsExec_Clone_Service
{
    meta:
        category = "hacktool"
        family = "RemCom/PAExec/CSExec"
        score = 70
        description = "PsExec-style remote service used by attack frameworks (RemCom, CSExec, PAExec): named pipes and service names"
        description_ja = "攻撃ツールが使うPsExec互換のリモート実行サービス(RemCom, CSExec, PAExec)"
        reference = "https://attack.mitre.org/techniques/T1569/002/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $r1 = "RemComSvc" ascii wide
        $r2 = "RemCom_communicaton" ascii wide
        $r3 = "RemCom_stdin" ascii wide
        $r4 = "RemCom_stdout" ascii wide
        $c1 = "csexecsvc" nocase ascii wide
        $c2 = "\\\\.\\pipe\\csexec" nocase ascii wide
        $p1 = "PAExec" ascii wide
        $p2 = "PAExecSvc" ascii wide
        $p3 = "\\\\.\\pipe\\PAExec" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 10MB and (2 of ($r*) or 1 of ($c*) or 2 of ($p*))
}

rule HackTool_CobaltStrike_Beacon_Config
{
    meta:
        category = "hacktool"
        family = "Cobalt Strike"
        score = 90
        description = "Cobalt Strike beacon configuration block (XOR 0x69 or 0x2e encoded settings header) in a file or memory"
        description_ja = "Cobalt Strike ビーコンの設定ブロック(0x69/0x2eでXORされた設定ヘッダ)。ファイルまたはメモリ上"
        reference = "https://attack.mitre.org/software/S0154/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $cfg3 = { 69 68 69 68 69 6B ?? ?? 69 6B 69 68 69 6B ?? ?? 69 6A }
        $cfg4 = { 2E 2F 2E 2F 2E 2C ?? ?? 2E 2C 2E 2F 2E 2C ?? ?? 2E 2D }
    condition:
        filesize < 512MB and 1 of them
}

rule HackTool_CobaltStrike_Beacon_Strings
{
    meta:
        category = "hacktool"
        family = "Cobalt Strike"
        score = 85
        description = "Cobalt Strike beacon or its reflective DLL: post-exploitation command strings and default named pipes"
        description_ja = "Cobalt Strike ビーコン(反射型DLL)の文字列・既定の名前付きパイプ"
        reference = "https://attack.mitre.org/software/S0154/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "IEX (New-Object Net.Webclient).DownloadString('http://127.0.0.1:%u/')" ascii wide
        $s2 = "%s as %s\\%s: %d" ascii wide
        $s3 = "could not spawn %s: %d" ascii wide
        $s4 = "beacon.x64.dll" ascii wide
        $s5 = "beacon.dll" ascii wide
        $s6 = "ReflectiveLoader" ascii
        $s7 = "\\\\.\\pipe\\MSSE-" ascii wide
        $s8 = "\\\\%s\\pipe\\msagent_" ascii wide
        $s9 = "%c%c%c%c%c%c%c%c%cMSSE-%d-server" ascii wide
        $s10 = "could not run command (w/ token) because of its length of %d bytes!" ascii wide
    condition:
        filesize < 512MB and 3 of them
}

rule HackTool_CobaltStrike_PowerShell_Stager
{
    meta:
        category = "loader"
        family = "Cobalt Strike"
        score = 85
        description = "Cobalt Strike / Metasploit style PowerShell shellcode stager (func_get_proc_address / func_get_delegate_type template)"
        description_ja = "Cobalt Strike/Metasploit 形式のPowerShellシェルコード・ステージャ"
        reference = "https://attack.mitre.org/software/S0154/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "func_get_proc_address" nocase ascii wide
        $s2 = "func_get_delegate_type" nocase ascii wide
        $s3 = "[Byte[]]$var_code" nocase ascii wide
        $s4 = "$var_buffer" nocase ascii wide
        $s5 = "$DoIt = @'" nocase ascii wide
        $s6 = "-bxor 35" nocase ascii wide
        $s7 = "VirtualAlloc" ascii wide
    condition:
        filesize < 10MB and 3 of them
}

rule HackTool_Shellcode_Stager_Prologue
{
    meta:
        category = "loader"
        family = "Metasploit/Cobalt Strike"
        score = 75
        description = "Well-known x86/x64 shellcode prologue of Metasploit and Cobalt Strike stagers (block_api hash resolver)"
        description_ja = "Metasploit/Cobalt Strike ステージャの既知のシェルコード先頭部(x86/x64)"
        reference = "https://attack.mitre.org/techniques/T1055/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $x86 = { FC E8 8? 00 00 00 60 89 E5 31 ?? 64 8B ?? 30 }
        $x64 = { FC 48 83 E4 F0 E8 C? 00 00 00 41 51 41 50 52 51 56 48 31 D2 65 48 8B 52 60 }
    condition:
        filesize < 512MB and 1 of them
}

rule HackTool_Sliver_Implant
{
    meta:
        category = "hacktool"
        family = "Sliver"
        score = 85
        description = "Sliver C2 implant (Go): protobuf package paths of the Sliver framework"
        description_ja = "Sliver C2 のインプラント(Go製)"
        reference = "https://attack.mitre.org/software/S0633/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "github.com/bishopfox/sliver/protobuf/sliverpb" ascii
        $s2 = "github.com/bishopfox/sliver/protobuf/commonpb" ascii
        $s3 = "github.com/bishopfox/sliver/implant" ascii
        $s4 = "sliverpb.Envelope" ascii
        $s5 = "sliverpb.Register" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF) and filesize < 60MB and 2 of them
}

rule HackTool_Metasploit_Meterpreter
{
    meta:
        category = "hacktool"
        family = "Metasploit"
        score = 85
        description = "Metasploit Meterpreter payload (metsrv and stdapi extension strings)"
        description_ja = "Metasploit Meterpreter のペイロード"
        reference = "https://attack.mitre.org/techniques/T1059/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "metsrv.dll" ascii wide
        $s2 = "metsrv.x64.dll" ascii wide
        $s3 = "stdapi_sys_process_execute" ascii wide
        $s4 = "core_channel_open" ascii wide
        $s5 = "stdapi_fs_file" ascii wide
        $s6 = "ext_server_stdapi" ascii wide
        $s7 = "core_loadlib" ascii wide
    condition:
        filesize < 100MB and 3 of them
}

rule HackTool_LaZagne
{
    meta:
        category = "credential-theft"
        family = "LaZagne"
        score = 80
        description = "LaZagne password recovery tool (Python or PyInstaller executable): its module tree for browsers, mail, Wi-Fi and system secrets"
        description_ja = "LaZagne(ブラウザ・メール・Wi-Fi等の保存パスワード抽出ツール)"
        reference = "https://attack.mitre.org/software/S0349/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "lazagne.softwares" ascii
        $s2 = "lazagne.config" ascii
        $s3 = "lazagne/softwares" ascii
        $s4 = "laZagne" ascii
        $s5 = "AlessandroZ" ascii
    condition:
        filesize < 50MB and 2 of them
}

rule HackTool_PowerSploit_Offensive_Scripts
{
    meta:
        category = "hacktool"
        family = "PowerSploit/Empire"
        score = 75
        description = "Offensive PowerShell functions (PowerSploit, Empire, Nishang): Kerberoasting, reflective PE injection, GPP passwords, token theft"
        description_ja = "攻撃用PowerShell関数(PowerSploit, Empire, Nishang 等)"
        reference = "https://attack.mitre.org/techniques/T1059/001/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $f1 = "Invoke-Kerberoast" nocase ascii wide
        $f2 = "Invoke-ReflectivePEInjection" nocase ascii wide
        $f3 = "Get-GPPPassword" nocase ascii wide
        $f4 = "Invoke-TokenManipulation" nocase ascii wide
        $f5 = "Invoke-ShareFinder" nocase ascii wide
        $f6 = "Invoke-PowerShellTcp" nocase ascii wide
        $f7 = "Invoke-Shellcode" nocase ascii wide
        $f8 = "Invoke-SMBExec" nocase ascii wide
        $f9 = "Invoke-WMIExec" nocase ascii wide
        $f10 = "Invoke-BloodHound" nocase ascii wide
        $f11 = "Get-DomainUser -SPN" nocase ascii wide
    condition:
        uint16(0) != 0x5A4D and filesize < 20MB and 1 of them
}

rule HackTool_SharpHound_BloodHound
{
    meta:
        category = "hacktool"
        family = "SharpHound"
        score = 70
        description = "SharpHound/BloodHound Active Directory collector, or its output archive names"
        description_ja = "SharpHound/BloodHound(Active Directory情報収集ツール)"
        reference = "https://attack.mitre.org/software/S0521/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "SharpHound" ascii wide
        $s1 = "BloodHound" ascii wide
        $s2 = "CollectionMethod" ascii wide
        $s3 = "_BloodHound.zip" ascii wide
        $s4 = "LdapFilter" ascii wide
        $s5 = "SessionLoop" ascii wide
    condition:
        filesize < 20MB and $n1 and 2 of ($s*)
}

rule HackTool_AdFind
{
    meta:
        category = "hacktool"
        family = "AdFind"
        score = 50
        description = "AdFind Active Directory query tool (legitimate admin tool, very often used by ransomware operators for reconnaissance)"
        description_ja = "AdFind(AD照会ツール。正規ツールだがランサムウェア攻撃者の偵察によく使われる)"
        reference = "https://attack.mitre.org/software/S0552/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $s1 = "joeware" nocase ascii wide
        $s2 = "AdFind" ascii wide
        $s3 = "-sc trustdmp" nocase ascii wide
        $s4 = "objectcategory=computer" nocase ascii wide
        $s5 = "-gcb" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 5MB and $s1 and $s2 and 1 of ($s3, $s4, $s5)
}

rule HackTool_Potato_Privilege_Escalation
{
    meta:
        category = "hacktool"
        family = "Potato/PrintSpoofer"
        score = 80
        description = "Potato-family or PrintSpoofer privilege escalation (service account to SYSTEM via named-pipe impersonation)"
        description_ja = "Potato系・PrintSpoofer 権限昇格ツール(名前付きパイプ偽装でSYSTEM権限を取得)"
        reference = "https://attack.mitre.org/techniques/T1134/001/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $n1 = "PrintSpoofer" ascii wide
        $n2 = "JuicyPotato" ascii wide
        $n3 = "GodPotato" ascii wide
        $n4 = "SweetPotato" ascii wide
        $n5 = "RoguePotato" ascii wide
        $n6 = "EfsPotato" ascii wide
        $a1 = "ImpersonateNamedPipeClient" ascii wide
        $a2 = "CreateProcessWithTokenW" ascii wide
        $a3 = "CreateProcessAsUserW" ascii wide
        $a4 = "\\pipe\\spoolss" ascii wide
        $a5 = "SeImpersonatePrivilege" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 10MB and 1 of ($n*) and 2 of ($a*)
}

rule HackTool_Tunnel_Chisel_Ligolo_FRP
{
    meta:
        category = "hacktool"
        family = "Chisel/Ligolo/FRP"
        score = 65
        description = "Reverse tunnel tool often dropped for remote access into the network (Chisel, Ligolo-ng, FRP, revsocks)"
        description_ja = "侵入後の内部ネットワーク接続に使われるトンネリングツール(Chisel, Ligolo-ng, FRP 等)"
        reference = "https://attack.mitre.org/techniques/T1572/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $c1 = "github.com/jpillora/chisel" ascii
        $l1 = "github.com/nicocha30/ligolo-ng" ascii
        $f1 = "github.com/fatedier/frp" ascii
        $r1 = "github.com/kost/revsocks" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize < 60MB and 1 of them
}

rule HackTool_Network_Scanner_Tools
{
    meta:
        category = "hacktool"
        family = "NetScan/Advanced IP Scanner"
        score = 40
        description = "Network scanner frequently brought in by intruders (SoftPerfect NetScan, Advanced IP Scanner); legitimate use exists"
        description_ja = "侵入者がよく持ち込むネットワークスキャナ(SoftPerfect NetScan, Advanced IP Scanner)。正規の利用もある"
        reference = "https://attack.mitre.org/techniques/T1046/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $sp1 = "SoftPerfect" ascii wide
        $sp2 = "Network Scanner" ascii wide
        $ai1 = "Advanced IP Scanner" ascii wide
        $ai2 = "Famatech" ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 60MB and (all of ($sp*) or all of ($ai*))
}

rule HackTool_Reverse_Shell_Oneliner
{
    meta:
        category = "hacktool"
        family = "reverse-shell"
        score = 70
        description = "Reverse shell one-liner (bash /dev/tcp, nc -e, mkfifo pipe, Python pty) in a script, cron entry or history"
        description_ja = "リバースシェルのワンライナー(bash /dev/tcp, nc -e, mkfifo, Python pty)を含むスクリプト・cron・履歴"
        reference = "https://attack.mitre.org/techniques/T1059/004/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $b1 = /(ba)?sh -i\s{0,4}>&\s{0,4}\/dev\/tcp\/[0-9a-zA-Z.\-]{1,64}\/[0-9]{1,5}/
        $b2 = /exec [0-9]{1,3}<>\/dev\/tcp\/[0-9a-zA-Z.\-]{1,64}\/[0-9]{1,5}/
        $n1 = /\bnc(at)?(\.traditional)? [^\n]{0,40}-e \/bin\/(ba)?sh/
        $n2 = /mkfifo \/tmp\/[a-z0-9.]{1,16}; ?(cat|nc)/
        $p1 = "pty.spawn(\"/bin/bash\")" ascii
        $p2 = "pty.spawn(\"/bin/sh\")" ascii
        $p3 = "socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect((" ascii
    condition:
        uint32(0) != 0x464C457F and filesize < 10MB and (1 of ($b*, $n*) or ($p3 and 1 of ($p1, $p2)))
}
