// An index file: only include lines, so a directory load skips it
// (otherwise every marker rule would match twice, in two namespaces).
include "markers.yar"
include "eicar.yar"
