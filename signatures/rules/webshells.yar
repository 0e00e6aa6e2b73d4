/*
 * kaketsuke bundled signatures: web shells.
 * Web shells on the web servers of small businesses (WordPress/EC-CUBE
 * hosting, IIS with ASP.NET, Tomcat/JSP).  Generic rules look for request
 * input flowing straight into eval/exec; family rules for the traits of
 * China Chopper, Godzilla and Behinder (their default keys and loaders).
 * Every rule requires a server-side script marker so that documents,
 * browsers' caches and ordinary JavaScript do not match.
 */

rule Webshell_PHP_Eval_Request_Input
{
    meta:
        category = "webshell"
        family = "generic"
        score = 85
        description = "PHP code that evaluates request input directly (eval/assert of $_POST/$_GET/$_REQUEST/$_COOKIE)"
        description_ja = "リクエストの入力をそのまま eval/assert で実行するPHPコード(Webシェル)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $php1 = "<?php" nocase ascii
        $php2 = "<?=" ascii
        $r1 = /\b(eval|assert)\s{0,8}\(\s{0,8}(@\s{0,4})?\$_(POST|GET|REQUEST|COOKIE|SERVER)\s{0,4}\[/ nocase
        $r2 = /\b(eval|assert)\s{0,8}\(\s{0,8}(base64_decode|gzinflate|gzuncompress|str_rot13|stripslashes|urldecode|rawurldecode)\s{0,8}\(\s{0,8}\$_(POST|GET|REQUEST|COOKIE|SERVER)\s{0,4}\[/ nocase
        $r3 = /\bcreate_function\s{0,8}\([^;]{0,64}\$_(POST|GET|REQUEST|COOKIE)\[/ nocase
        $r4 = /\bpreg_replace\s{0,8}\(\s{0,8}['"]\/[^'"]{0,32}\/[a-z]{0,5}e[a-z]{0,5}['"]\s{0,8},\s{0,8}\$_(POST|GET|REQUEST|COOKIE)/ nocase
    condition:
        filesize < 2MB and 1 of ($php*) and 1 of ($r*)
}

rule Webshell_PHP_Exec_Request_Input
{
    meta:
        category = "webshell"
        family = "generic"
        score = 85
        description = "PHP code that passes request input straight to an OS command (system/passthru/shell_exec/exec/popen/proc_open)"
        description_ja = "リクエストの入力をそのままOSコマンドとして実行するPHPコード(Webシェル)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $php1 = "<?php" nocase ascii
        $php2 = "<?=" ascii
        $r1 = /\b(system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,8}\(\s{0,8}(@\s{0,4})?(base64_decode\s{0,4}\(\s{0,4}|urldecode\s{0,4}\(\s{0,4}|stripslashes\s{0,4}\(\s{0,4})?\$_(POST|GET|REQUEST|COOKIE|SERVER)\s{0,4}\[/ nocase
        $r2 = /(=|echo|print|return)\s{0,4}`\s{0,4}\$_(POST|GET|REQUEST|COOKIE)\s{0,4}\[[^\]]{1,32}\]\s{0,4}`/
    condition:
        filesize < 2MB and 1 of ($php*) and 1 of ($r*)
}

rule Webshell_PHP_Obfuscated_Eval
{
    meta:
        category = "webshell"
        family = "generic"
        score = 70
        description = "PHP that decodes and evaluates an embedded blob (eval(gzinflate(base64_decode(...))) and similar), the usual wrapping of web shells and injected backdoors"
        description_ja = "埋め込まれたデータを復号して eval するPHP(eval(gzinflate(base64_decode(...))) 等)。Webシェルや改ざんで埋め込まれたバックドアの典型的な難読化"
        reference = "https://attack.mitre.org/techniques/T1027/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $php1 = "<?php" nocase ascii
        $php2 = "<?=" ascii
        $e1 = "eval(gzinflate(base64_decode(" nocase
        $e2 = "eval(gzuncompress(base64_decode(" nocase
        $e3 = "eval(str_rot13(base64_decode(" nocase
        $e4 = "eval(gzinflate(str_rot13(base64_decode(" nocase
        $e5 = "eval(base64_decode(strrev(" nocase
        $e6 = "eval(\"?>\".base64_decode(" nocase
        $e7 = "eval('?>'.base64_decode(" nocase
        $e8 = "eval(gzdecode(base64_decode(" nocase
        $e9 = "assert(base64_decode(" nocase
    condition:
        filesize < 4MB and 1 of ($php*) and 1 of ($e*)
}

rule Webshell_PHP_Known_Kits
{
    meta:
        category = "webshell"
        family = "WSO/b374k/c99/r57/Alfa/IndoXploit"
        score = 90
        description = "Full-featured PHP web shell kit (WSO, b374k, c99, r57, Alfa, IndoXploit): kit name and file-manager/command features"
        description_ja = "多機能PHP Webシェル(WSO・b374k・c99・r57・Alfa・IndoXploit 等)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $php1 = "<?php" nocase ascii
        $php2 = "<?=" ascii
        $k1 = "FilesMan" ascii
        $k2 = "b374k" nocase ascii
        $k3 = "c99shell" nocase ascii
        $k4 = "r57shell" nocase ascii
        $k5 = "IndoXploit" nocase ascii
        $k6 = "ALFA TEaM" nocase ascii
        $k7 = "AlfaShell" nocase ascii
        $k8 = "WSO_VERSION" nocase ascii
        $f1 = "shell_exec" ascii
        $f2 = "passthru" ascii
        $f3 = "move_uploaded_file" ascii
        $f4 = "posix_getpwuid" ascii
        $f5 = "base64_decode" ascii
        $f6 = "eval(" ascii
        $f7 = "safe_mode" ascii
    condition:
        filesize < 4MB and 1 of ($php*) and 1 of ($k*) and 2 of ($f*)
}

rule Webshell_PHP_Godzilla
{
    meta:
        category = "webshell"
        family = "Godzilla"
        score = 90
        description = "Godzilla (哥斯拉) PHP web shell: XOR/session payload loader with its default key"
        description_ja = "Godzilla(哥斯拉)PHP Webシェル(既定鍵とセッション経由のペイロード読込み)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $php1 = "<?php" nocase ascii
        $php2 = "<?=" ascii
        $s1 = "3c6e0b8a9c15224a" ascii
        $s2 = "$payloadName" ascii
        $s3 = "$_SESSION[$payloadName]" ascii
        $s4 = "[$i+1&15]" ascii
        $s5 = "@set_time_limit(0)" ascii
        $s6 = "encode($_POST[$pass]" ascii
    condition:
        filesize < 512KB and 1 of ($php*) and 3 of ($s*)
}

rule Webshell_PHP_Behinder
{
    meta:
        category = "webshell"
        family = "Behinder"
        score = 90
        description = "Behinder (冰蝎) PHP web shell: AES-decrypted request body evaluated, default key e45e329feb5d925b"
        description_ja = "Behinder(冰蝎)PHP Webシェル(AESで復号したリクエスト本文を実行、既定鍵 e45e329feb5d925b)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $php1 = "<?php" nocase ascii
        $php2 = "<?=" ascii
        $s1 = "e45e329feb5d925b" ascii
        $s2 = "$_SESSION['k']" ascii
        $s3 = "php://input" ascii
        $s4 = "openssl_decrypt" ascii
        $s5 = "__invoke($p)" ascii
        $s6 = "eval($p" ascii
        $s7 = "AES128" ascii
    condition:
        filesize < 512KB and 1 of ($php*) and ($s1 or $s5) and 3 of ($s*)
}

rule Webshell_JSP_Behinder_Godzilla
{
    meta:
        category = "webshell"
        family = "Behinder/Godzilla"
        score = 90
        description = "JSP web shell of the Behinder/Godzilla kind: AES-decrypted request body defined as a class and run in memory"
        description_ja = "Behinder/Godzilla系のJSP Webシェル(AESで復号したクラスをメモリ上で定義・実行)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $jsp1 = "<%@" ascii
        $jsp2 = "<%!" ascii
        $jsp3 = "<jsp:" ascii
        $c1 = "extends ClassLoader" ascii
        $c2 = "defineClass(" ascii
        $k1 = "e45e329feb5d925b" ascii
        $k2 = "3c6e0b8a9c15224a" ascii
        $k3 = "Cipher.getInstance(\"AES\")" ascii
        $k4 = "session.putValue(\"u\"" ascii
        $k5 = "md5(pass+xc)" ascii
        $k6 = "getReader().readLine()" ascii
    condition:
        filesize < 512KB and 1 of ($jsp*) and all of ($c*) and 2 of ($k*)
}

rule Webshell_ASPX_Memory_Assembly_Loader
{
    meta:
        category = "webshell"
        family = "Behinder/Godzilla"
        score = 90
        description = "ASP.NET page that decrypts the request body and loads it as a .NET assembly (Behinder/Godzilla and similar in-memory web shells)"
        description_ja = "リクエスト本文を復号して.NETアセンブリとして読み込むASP.NETページ(Behinder/Godzilla等のメモリ型Webシェル)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $asp1 = "<%@" ascii wide
        $asp2 = "<script runat=\"server\"" nocase ascii wide
        $l1 = "Assembly.Load(" ascii wide
        $d1 = "CreateDecryptor(" ascii wide
        $d2 = "FromBase64String(" ascii wide
        $d3 = "TransformFinalBlock(" ascii wide
        $r1 = "Request.BinaryRead(" ascii wide
        $r2 = "Request.Form[" ascii wide
        $r3 = "Request.InputStream" ascii wide
        $k1 = "e45e329feb5d925b" ascii wide
        $k2 = "3c6e0b8a9c15224a" ascii wide
        $k3 = "CreateInstance(\"U\")" ascii wide
        $k4 = "Session[" ascii wide
    condition:
        filesize < 512KB and 1 of ($asp*) and $l1 and 1 of ($d*) and 1 of ($r*) and 1 of ($k*)
}

rule Webshell_China_Chopper
{
    meta:
        category = "webshell"
        family = "China Chopper"
        score = 85
        description = "China Chopper one-line server (ASP/ASPX/PHP): eval of a request parameter"
        description_ja = "China Chopper の一行Webシェル(ASP/ASPX/PHP: リクエストパラメータを eval)"
        reference = "https://attack.mitre.org/software/S0020/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $a1 = "eval(Request.Item[" nocase ascii wide
        $a2 = "\"unsafe\");" nocase ascii wide
        $a3 = /<%\s{0,4}(eval|execute)\s{0,4}\(?\s{0,4}request\s{0,4}\(/ nocase
        $a4 = /<\?php\s{0,4}@eval\s{0,4}\(\s{0,4}\$_POST\[['"][A-Za-z0-9_]{1,16}['"]\]\s{0,4}\)\s{0,4};\s{0,4}\?>/ nocase
        $a5 = "<%@ Page Language=\"Jscript\"%><%eval(" nocase ascii wide
    condition:
        filesize < 256KB and (($a1 and $a2) or $a3 or $a4 or $a5)
}

rule Webshell_ASP_Command_Exec
{
    meta:
        category = "webshell"
        family = "generic"
        score = 80
        description = "ASP/ASP.NET page that runs cmd.exe or PowerShell with request input and returns the output"
        description_ja = "リクエストの入力で cmd.exe/PowerShell を実行し結果を返すASP/ASP.NETページ(Webシェル)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $asp1 = "<%" ascii wide
        $asp2 = "runat=\"server\"" nocase ascii wide
        $x1 = "Process.Start(" ascii wide
        $x2 = "ProcessStartInfo" ascii wide
        $x3 = "WScript.Shell" nocase ascii wide
        $x4 = ".Exec(" nocase ascii wide
        $c1 = "cmd.exe" nocase ascii wide
        $c2 = "powershell" nocase ascii wide
        $c3 = "StandardOutput" ascii wide
        $c4 = "StdOut.ReadAll" nocase ascii wide
        $i1 = "Request.Form" nocase ascii wide
        $i2 = "Request.QueryString" nocase ascii wide
        $i3 = "Request.Item" nocase ascii wide
        $i4 = "Request(\"" nocase ascii wide
    condition:
        filesize < 512KB and 1 of ($asp*) and 1 of ($x*) and 2 of ($c*) and 1 of ($i*)
}

rule Webshell_JSP_Command_Exec
{
    meta:
        category = "webshell"
        family = "generic"
        score = 80
        description = "JSP page that runs an OS command taken from a request parameter and prints its output"
        description_ja = "リクエストパラメータのOSコマンドを実行して出力を返すJSPページ(Webシェル)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $jsp1 = "<%" ascii
        $e1 = "Runtime.getRuntime().exec(request.getParameter(" ascii
        $e2 = "Runtime.getRuntime().exec(" ascii
        $e3 = "new ProcessBuilder(" ascii
        $i1 = "request.getParameter(" ascii
        $o1 = "getInputStream()" ascii
        $o2 = "getOutputStream()" ascii
    condition:
        filesize < 512KB and $jsp1 and ($e1 or (($e2 or $e3) and $i1 and 1 of ($o*)))
}

rule Webshell_Htaccess_PHP_Handler
{
    meta:
        category = "webshell"
        family = "htaccess"
        score = 70
        description = ".htaccess that makes image or text files run as PHP, or prepends a PHP file to every request: used to hide web shells"
        description_ja = "画像やテキストをPHPとして実行させる、または全リクエストにPHPを差し込む .htaccess(Webシェル隠蔽に使われる)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $h1 = /AddType\s{1,8}application\/x-httpd-php[0-9]{0,2}\s[^\n]{0,64}\.(jpe?g|png|gif|ico|bmp|txt|css)\b/ nocase
        $h2 = /AddHandler\s{1,8}(application\/x-httpd-php|php[0-9]{0,2}-script)[0-9]{0,2}\s[^\n]{0,64}\.(jpe?g|png|gif|ico|bmp|txt|css)\b/ nocase
        $h3 = /SetHandler\s{1,8}application\/x-httpd-php/ nocase
        $h4 = /php_value\s{1,8}auto_(prepend|append)_file\s{1,8}[^\n]{0,128}\.(jpe?g|png|gif|ico|txt|css|tmp)\b/ nocase
    condition:
        filesize < 64KB and uint16(0) != 0x5A4D and 1 of them
}

rule Webshell_PHP_In_Image
{
    meta:
        category = "webshell"
        family = "generic"
        score = 80
        description = "Image file (GIF/JPEG/PNG header) carrying PHP code that evaluates or executes input: an uploaded polyglot web shell"
        description_ja = "画像(GIF/JPEG/PNGヘッダ)に eval/コマンド実行のPHPコードを含むファイル(アップロード型のWebシェル)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "kaketsuke project"
        date = "2026-11-22"
    strings:
        $php = "<?php" nocase ascii
        $f1 = "eval(" nocase ascii
        $f2 = "assert(" nocase ascii
        $f3 = "system(" nocase ascii
        $f4 = "passthru(" nocase ascii
        $f5 = "shell_exec(" nocase ascii
        $i1 = "$_POST" ascii
        $i2 = "$_GET" ascii
        $i3 = "$_REQUEST" ascii
        $i4 = "$_COOKIE" ascii
    condition:
        (uint32(0) == 0x38464947 or uint16(0) == 0xD8FF or uint32(0) == 0x474E5089)
        and filesize < 5MB and 1 of ($php*) and 1 of ($f*) and 1 of ($i*)
}
