#include "CLibXML2Loader.h"

#include "CLibraryLoading.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    void (*init_parser)(void);
    xmlTextReaderPtr (*reader_for_memory)(const char *, int, const char *, const char *, int);
    void (*free_reader)(xmlTextReaderPtr);
    void (*set_error_handler)(xmlTextReaderPtr, xmlStructuredErrorFunc, void *);
    int (*read)(xmlTextReaderPtr);
    int (*node_type)(xmlTextReaderPtr);
    int (*depth)(xmlTextReaderPtr);
    int (*is_empty_element)(xmlTextReaderPtr);
    const xmlChar *(*local_name)(xmlTextReaderPtr);
    const xmlChar *(*value)(xmlTextReaderPtr);
} api;

static int loaded = 0;
static char failure[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#if defined(__APPLE__)
static const char *const names[] = {"libxml2.2.dylib", "libxml2.dylib"};
#else
static const char *const names[] = {"libxml2.so.2", "libxml2.so"};
#endif

static void load(void) {
    void *library = mlopskit_open_library(names, sizeof names / sizeof names[0], "libxml2", failure, sizeof failure);
    if (!library) return;
    const struct { void **slot; const char *symbol; } symbols[] = {
        {(void **)&api.init_parser, "xmlInitParser"},
        {(void **)&api.reader_for_memory, "xmlReaderForMemory"},
        {(void **)&api.free_reader, "xmlFreeTextReader"},
        {(void **)&api.set_error_handler, "xmlTextReaderSetStructuredErrorHandler"},
        {(void **)&api.read, "xmlTextReaderRead"},
        {(void **)&api.node_type, "xmlTextReaderNodeType"},
        {(void **)&api.depth, "xmlTextReaderDepth"},
        {(void **)&api.is_empty_element, "xmlTextReaderIsEmptyElement"},
        {(void **)&api.local_name, "xmlTextReaderConstLocalName"},
        {(void **)&api.value, "xmlTextReaderConstValue"},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (!mlopskit_resolve_symbol(library, symbols[i].symbol, symbols[i].slot, "libxml2", "2.9 or later needed", failure, sizeof failure)) return;
    }
    api.init_parser();
    loaded = 1;
}

const char *mlopskit_xml_load(void) {
    pthread_once(&once, load);
    return loaded ? NULL : failure;
}

const char *mlopskit_xml_probe(void) {
    static char probe_failure[512];
    void *library = mlopskit_open_library(names, sizeof names / sizeof names[0], "libxml2", probe_failure, sizeof probe_failure);
    if (!library) return probe_failure;
    dlclose(library);
    return NULL;
}

#define READY (mlopskit_xml_load() == NULL)

xmlTextReaderPtr mlopskit_xml_reader_for_memory(const char *buffer, int size, const char *url, const char *encoding, int options) {
    return READY ? api.reader_for_memory(buffer, size, url, encoding, options) : NULL;
}
void mlopskit_xml_free_reader(xmlTextReaderPtr reader) { if (READY) api.free_reader(reader); }
void mlopskit_xml_reader_set_error_handler(xmlTextReaderPtr reader, xmlStructuredErrorFunc handler, void *context) {
    if (READY) api.set_error_handler(reader, handler, context);
}
int mlopskit_xml_reader_read(xmlTextReaderPtr reader) { return READY ? api.read(reader) : -1; }
int mlopskit_xml_reader_node_type(xmlTextReaderPtr reader) { return READY ? api.node_type(reader) : -1; }
int mlopskit_xml_reader_depth(xmlTextReaderPtr reader) { return READY ? api.depth(reader) : -1; }
int mlopskit_xml_reader_is_empty_element(xmlTextReaderPtr reader) { return READY ? api.is_empty_element(reader) : -1; }
const xmlChar *mlopskit_xml_reader_local_name(xmlTextReaderPtr reader) { return READY ? api.local_name(reader) : NULL; }
const xmlChar *mlopskit_xml_reader_value(xmlTextReaderPtr reader) { return READY ? api.value(reader) : NULL; }
