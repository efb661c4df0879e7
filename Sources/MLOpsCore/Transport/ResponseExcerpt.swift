/// Error bodies shortened for messages: an HTML error page or an XML document from a server or a proxy
/// in front of it, reduced to its text.
package enum ResponseExcerpt {
    /// A short, single-line version of a raw body for the message: HTML head, scripts and styles
    /// dropped, tags removed, whitespace collapsed, at most 200 characters.
    package static func excerpt(of text: String) -> String {
        let text = text.replacing(#/(?is)<(head|script|style)\b.*?</\1\s*>/#, with: " ")
        var plain = ""
        var inTag = false
        for character in text {
            switch character {
            case "<": inTag = true
            case ">" where inTag:
                inTag = false
                plain.append(" ")
            default:
                if !inTag { plain.append(character) }
            }
        }
        let words = plain.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        let joined = words.joined(separator: " ")
        return joined.count <= 200 ? joined : String(joined.prefix(199)) + "…"
    }
}
