#ifndef MLOPSKIT_CLIBXML2_LOADER_H
#define MLOPSKIT_CLIBXML2_LOADER_H

// libxml2, loaded with dlopen on first use instead of linked. See CLibXML2's shim.h for why ICU is
// switched off in these declarations.
#include <libxml/xmlversion.h>
#ifdef LIBXML_ICU_ENABLED
#undef LIBXML_ICU_ENABLED
#endif
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

/// Loads libxml2 (once) and initialises its parser. NULL on success, otherwise why it failed.
const char *_Nullable mlopskit_xml_load(void);

/// Whether libxml2 can be loaded, without keeping it: the library is opened and closed again, so a
/// process that checks at start-up maps it only once it parses a document. NULL when it loads, otherwise
/// why not. Not thread-safe; meant for start-up.
const char *_Nullable mlopskit_xml_probe(void);

/// A reader over `size` bytes at `buffer`, or NULL (libxml2 missing, or it could not start one).
xmlTextReaderPtr _Nullable mlopskit_xml_reader_for_memory(const char *_Nonnull buffer, int size, const char *_Nullable url,
                                                          const char *_Nullable encoding, int options);
void mlopskit_xml_free_reader(xmlTextReaderPtr _Nonnull reader);
void mlopskit_xml_reader_set_error_handler(xmlTextReaderPtr _Nonnull reader, xmlStructuredErrorFunc _Nullable handler,
                                           void *_Nullable context);
int mlopskit_xml_reader_read(xmlTextReaderPtr _Nonnull reader);
int mlopskit_xml_reader_node_type(xmlTextReaderPtr _Nonnull reader);
int mlopskit_xml_reader_depth(xmlTextReaderPtr _Nonnull reader);
int mlopskit_xml_reader_is_empty_element(xmlTextReaderPtr _Nonnull reader);
const xmlChar *_Nullable mlopskit_xml_reader_local_name(xmlTextReaderPtr _Nonnull reader);
const xmlChar *_Nullable mlopskit_xml_reader_value(xmlTextReaderPtr _Nonnull reader);

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
