#ifndef MLOPSKIT_CLIBXML2_SHIM_H
#define MLOPSKIT_CLIBXML2_SHIM_H

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlmemory.h>

/// `xmlFree` is a global function pointer in libxml2, which Swift 6 treats as shared mutable state.
static inline void mlopskit_xml_free(void *_Nullable pointer) {
    xmlFree(pointer);
}

#endif
