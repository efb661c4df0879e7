import MLOpsCore

/// Request and response bodies of the model-registry endpoints, spelled as the server spells them.
enum RegistryWire {
    // MARK: Requests

    struct CreateRegisteredModel: Encodable {
        var name: String
        var description: String?
        var tags: [RegisteredModelTag]
    }

    struct Name: Encodable {
        var name: String
    }

    struct Rename: Encodable {
        var name: String
        var newName: String

        enum CodingKeys: String, CodingKey {
            case name
            case newName = "new_name"
        }
    }

    struct UpdateRegisteredModel: Encodable {
        var name: String
        var description: String
    }

    struct SetRegisteredModelTag: Encodable {
        var name: String
        var key: String
        var value: String
    }

    struct DeleteRegisteredModelTag: Encodable {
        var name: String
        var key: String
    }

    struct CreateModelVersion: Encodable {
        var name: String
        var source: String
        var runID: String?
        var description: String?
        var tags: [ModelVersionTag]
        var modelID: String?

        enum CodingKeys: String, CodingKey {
            case name
            case source
            case runID = "run_id"
            case description
            case tags
            case modelID = "model_id"
        }
    }

    struct NameVersion: Encodable {
        var name: String
        var version: String
    }

    struct UpdateModelVersion: Encodable {
        var name: String
        var version: String
        var description: String
    }

    struct SetModelVersionTag: Encodable {
        var name: String
        var version: String
        var key: String
        var value: String
    }

    struct DeleteModelVersionTag: Encodable {
        var name: String
        var version: String
        var key: String
    }

    struct SetAlias: Encodable {
        var name: String
        var alias: String
        var version: String
    }

    struct DeleteAlias: Encodable {
        var name: String
        var alias: String
    }

    // MARK: Responses

    struct RegisteredModelResponse: Decodable {
        var registeredModel: RegisteredModel?

        enum CodingKeys: String, CodingKey {
            case registeredModel = "registered_model"
        }
    }

    struct SearchRegisteredModelsResponse: Decodable {
        var registeredModels: [RegisteredModel]?
        var nextPageToken: String?

        enum CodingKeys: String, CodingKey {
            case registeredModels = "registered_models"
            case nextPageToken = "next_page_token"
        }
    }

    struct ModelVersionResponse: Decodable {
        var modelVersion: ModelVersion?

        enum CodingKeys: String, CodingKey {
            case modelVersion = "model_version"
        }
    }

    struct SearchModelVersionsResponse: Decodable {
        var modelVersions: [ModelVersion]?
        var nextPageToken: String?

        enum CodingKeys: String, CodingKey {
            case modelVersions = "model_versions"
            case nextPageToken = "next_page_token"
        }
    }

    struct DownloadURIResponse: Decodable {
        var artifactURI: String?

        enum CodingKeys: String, CodingKey {
            case artifactURI = "artifact_uri"
        }
    }
}
