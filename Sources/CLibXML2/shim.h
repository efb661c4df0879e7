#ifndef MLOPSKIT_CLIBXML2_SHIM_H
#define MLOPSKIT_CLIBXML2_SHIM_H

// libxml2's declarations only: its types and constants. It is not linked: CLibXML2Loader loads it on
// the first XML document (S3 responses), so a program that never parses one never maps it and the ICU
// libraries it depends on.
#include <libxml/xmlversion.h>

// Debian's libxml2 is built with ICU, so <libxml/encoding.h> would include the system's ICU headers,
// whose `UErrorCode` clashes with the copy inside FoundationEssentials (`_FoundationICU`) in any Swift
// file that imports both. Nothing here uses ICU; the only declaration this changes is the tail of
// `xmlCharEncodingHandler` (two ICU converter pointers), a struct Swift code must never touch.
#ifdef LIBXML_ICU_ENABLED
#undef LIBXML_ICU_ENABLED
#endif

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlmemory.h>
#include <libxml/xmlerror.h>

#endif
