#pragma once
// Hex encoding of binary values such as info-hashes.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace murder {

// The value of one hex digit (either case), or -1 for any other character.
int hex_digit_value(char c);

// Lowercase hex of `bytes`.
std::string to_hex(std::string_view bytes);

// Whether `text` is `digits` lowercase hex digits (as to_hex writes them).
bool is_lowercase_hex(std::string_view text, std::size_t digits);

// The bytes `hex` encodes (either case), or nullopt if it has an odd length or
// a character that is not a hex digit.
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace murder
