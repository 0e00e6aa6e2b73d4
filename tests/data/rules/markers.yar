/*
 * Marker rules for the generated test images (tests/images/build.sh).
 * The markers are harmless strings; see tests/images/ MANIFEST.txt.
 */

rule KK_Marker_1 : kaketsuke test
{
    meta:
        description = "kaketsuke test marker 1"
        author = "kaketsuke tests"
        reference = "tests/images/build.sh"
        reference = "tests/data/rules/markers.yar"
        score = 50
    strings:
        $m = "KAKETSUKE-TEST-MARKER-1"
    condition:
        $m
}

rule KK_Marker_2 : kaketsuke
{
    meta:
        description = "kaketsuke test marker 2"
    strings:
        $m = "KAKETSUKE-TEST-MARKER-2"
    condition:
        $m
}

rule KK_Deleted_Marker
{
    meta:
        description = "content of files that the image builder deleted"
    strings:
        $m = "KAKETSUKE-DELETED-MARKER"
    condition:
        $m
}

rule KK_ADS_Marker
{
    meta:
        description = "content of an NTFS alternate data stream"
    strings:
        $m = "KAKETSUKE-ADS-MARKER"
    condition:
        $m
}

rule KK_Wide_Marker
{
    strings:
        $m = "KAKETSUKE-WIDE-MARKER" wide
    condition:
        $m
}

rule KK_Tail_Marker
{
    meta:
        description = "a marker across the 1 MiB boundary of a 1.5 MiB file"
    strings:
        $m = "KAKETSUKE-TAIL-MARKER"
    condition:
        filesize > 1MB and $m
}
