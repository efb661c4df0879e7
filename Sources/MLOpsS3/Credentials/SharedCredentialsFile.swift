import MLOpsCore

/// The profiles of an AWS shared credentials file (`~/.aws/credentials`), an INI file:
///
/// ```ini
/// # comment
/// [default]
/// aws_access_key_id = AKIAIOSFODNN7EXAMPLE
/// aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY   ; comment
///
/// [ci]
/// aws_access_key_id=…
/// ```
///
/// Blank lines and lines starting with `#` or `;` are ignored, as is a `#` or `;` comment after whitespace
/// at the end of a header or property line. Property names are compared case-insensitively; values are
/// trimmed. A header seen twice adds to the same profile; a property seen twice keeps its last value.
/// Indented lines after a property (the sub-properties of the `config` file's format) are ignored.
struct SharedCredentialsFile: Sendable, Equatable {
    /// One `[name]` section.
    struct Profile: Sendable, Equatable {
        /// The line of its first `[name]` header.
        var line: Int
        /// Its properties, names lower-cased.
        var properties: [String: String]
    }

    /// The profiles by name.
    var profiles: [String: Profile]
    /// The profile names in the order they first appear.
    var profileNames: [String]

    /// Parses `text`.
    ///
    /// - Parameter path: The file's path, for errors.
    /// - Throws: ``CredentialError`` with ``CredentialError/Code/malformedFile``, the path and the line.
    ///   Its detail never repeats the line's text.
    init(parsing text: String, path: String) throws(CredentialError) {
        profiles = [:]
        profileNames = []
        var current: String?
        var afterProperty = false

        func malformed(_ line: Int, _ detail: String) -> CredentialError {
            CredentialError(
                code: .malformedFile, source: "shared credentials file \(path)", path: path, line: line,
                profile: current, detail: detail)
        }

        let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let line = rawLine.trimmingWhitespaceAndNewlines()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }

            if let first = rawLine.first, first == " " || first == "\t" {
                guard afterProperty else { throw malformed(number, "indented line outside a property") }
                continue
            }

            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else {
                    throw malformed(number, "a profile header needs a closing ']'")
                }
                guard Self.isBlankOrComment(line[line.index(after: close)...]) else {
                    throw malformed(number, "unexpected text after the profile header")
                }
                let name = line[line.index(after: line.startIndex)..<close].trimmingWhitespace()
                guard !name.isEmpty else { throw malformed(number, "empty profile name") }
                current = name
                afterProperty = false
                if profiles[name] == nil {
                    profiles[name] = Profile(line: number, properties: [:])
                    profileNames.append(name)
                }
                continue
            }

            guard let profile = current else {
                throw malformed(number, "a property before any [profile] header")
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw malformed(number, "expected key = value")
            }
            let key = line[..<equals].trimmingWhitespace().lowercased()
            guard !key.isEmpty else { throw malformed(number, "a property without a name") }
            let value = Self.removingInlineComment(line[line.index(after: equals)...]).trimmingWhitespace()
            profiles[profile]?.properties[key] = value
            afterProperty = true
        }
    }

    /// Whether `text` is empty or whitespace followed by a comment.
    private static func isBlankOrComment(_ text: Substring) -> Bool {
        let rest = text.trimmingWhitespace()
        return rest.isEmpty || rest.hasPrefix("#") || rest.hasPrefix(";")
    }

    /// `text` up to the first `#` or `;` that follows a space or tab.
    private static func removingInlineComment(_ text: Substring) -> Substring {
        var previous: Character = " "
        var isFirst = true
        for index in text.indices {
            let character = text[index]
            if character == "#" || character == ";", !isFirst, previous == " " || previous == "\t" {
                return text[..<index]
            }
            previous = character
            isFirst = false
        }
        return text
    }
}
