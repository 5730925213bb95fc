// murder links libarchive statically (CMakeLists.txt) so that the bundle
// carries only the tar format and the gzip and zstd filters.
//
// libarchive's pax writer calls one helper, __archive_write_entry_filetype_
// unsupported, that lives in archive_write_set_format.o beside the table of
// every writer libarchive has (7zip, xar, ...). Linking that object would
// bring them all, and with them libxml2, liblzma, libbz2 and libxml2's 30 MB
// of ICU data. This definition of the helper comes first in the link, so that
// object is never pulled. murder never asks for such an entry anyway
// (pack_directory refuses sockets, devices and FIFOs before libarchive sees
// them); the error says what libarchive's own would. Should libarchive rename the
// helper, the link fails loudly on libxml2's symbols: nothing goes silently
// wrong.
#include <archive.h>
#include <archive_entry.h>

#include <cerrno>

extern "C" void __archive_write_entry_filetype_unsupported(struct archive* a, struct archive_entry* entry,
                                                           const char* format) {
  archive_set_error(a, EINVAL, "%s: %s format cannot archive this file type",
                    archive_entry_pathname(entry), format);
}
