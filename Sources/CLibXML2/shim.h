#ifndef MLOPSKIT_CLIBXML2_SHIM_H
#define MLOPSKIT_CLIBXML2_SHIM_H

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

/// `xmlFree` is a global function pointer in libxml2, which Swift 6 treats as shared mutable state.
static inline void mlopskit_xml_free(void *_Nullable pointer) {
    xmlFree(pointer);
}

/// The parser options for documents received from a server, in one place.
///
/// - `XML_PARSE_NONET`: never touch the network, whatever the document asks for.
/// - `XML_PARSE_NOCDATA`: CDATA sections arrive as ordinary text.
/// - `XML_PARSE_NOERROR`, `XML_PARSE_NOWARNING`: nothing is printed to standard error; errors reach the
///   reader's structured error handler instead.
/// - `XML_PARSE_IGNORE_ENC`: the document's own encoding declaration is ignored; the caller names UTF-8.
///
/// Deliberately absent: `XML_PARSE_NOENT` (substitute entities), `XML_PARSE_DTDLOAD` and `XML_PARSE_DTDATTR`
/// (load and apply DTDs), `XML_PARSE_HUGE` (lift the built-in size and depth limits), `XML_PARSE_XINCLUDE`,
/// and `XML_PARSE_NOBLANKS`, which would drop whitespace-only text such as a key made of spaces.
static inline int mlopskit_xml_untrusted_document_options(void) {
    return XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC;
}

#endif
