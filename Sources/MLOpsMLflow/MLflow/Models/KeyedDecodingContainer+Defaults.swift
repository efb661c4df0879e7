import MLOpsCore

extension KeyedDecodingContainer {
    /// The value for `key`, or `defaultValue` when the key is absent or `null`.
    ///
    /// MLflow omits empty lists, empty messages and unset fields, so most model fields decode this way.
    func decode<Value: Decodable>(_ type: Value.Type = Value.self, forKey key: Key, default defaultValue: Value) throws
        -> Value
    {
        try decodeIfPresent(type, forKey: key) ?? defaultValue
    }
}
