import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The XML bodies S3 requests send: DeleteObjects, CompleteMultipartUpload and CreateBucket.
///
/// Text is escaped for XML (`& < > " '`), and characters XML 1.0 cannot carry at all (most control
/// characters) are refused, since no escaping can put them in a document the server will accept.
enum S3RequestXML {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// `<Delete>` with `keys`, in quiet mode when asked (the response then lists failures only).
    static func delete(keys: [String], quiet: Bool) throws(S3TransferError) -> Data {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete xmlns=\"\(namespace)\">"
        if quiet { xml += "<Quiet>true</Quiet>" }
        for key in keys {
            xml += "<Object><Key>\(try escaped(key, what: "key"))</Key></Object>"
        }
        xml += "</Delete>"
        return Data(xml.utf8)
    }

    /// `<CompleteMultipartUpload>` naming `parts` in ascending part number.
    static func completeMultipartUpload(parts: [UploadedPart]) throws(S3TransferError) -> Data {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload xmlns=\"\(namespace)\">"
        for part in parts.sorted(by: { $0.partNumber < $1.partNumber }) {
            let eTag = try escaped("\"\(part.eTag)\"", what: "ETag")
            xml += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\(eTag)</ETag>"
            if let checksum = part.checksumCRC32C {
                xml += "<ChecksumCRC32C>\(try escaped(checksum, what: "checksum"))</ChecksumCRC32C>"
            }
            xml += "</Part>"
        }
        xml += "</CompleteMultipartUpload>"
        return Data(xml.utf8)
    }

    /// `<CreateBucketConfiguration>` with a location constraint.
    static func createBucketConfiguration(region: String) throws(S3TransferError) -> Data {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateBucketConfiguration xmlns=\"\(namespace)\">"
            + "<LocationConstraint>\(try escaped(region, what: "region"))</LocationConstraint></CreateBucketConfiguration>"
        return Data(xml.utf8)
    }

    /// `text` with XML's special characters escaped.
    ///
    /// - Throws: ``S3TransferError/Code/invalidArgument`` for a character XML 1.0 cannot hold.
    static func escaped(_ text: String, what: String) throws(S3TransferError) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            // Tab, newline and carriage return are legal but would be normalised by the parser.
            case "\t", "\n", "\r": result += "&#\(scalar.value);"
            default:
                guard isXMLCharacter(scalar) else {
                    throw S3TransferError(
                        code: .invalidArgument,
                        detail: "\(what) \(text.debugDescription) holds U+\(String(scalar.value, radix: 16, uppercase: true)), which an XML request cannot carry")
                }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// XML 1.0's `Char` production, less the whitespace handled above.
    static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
