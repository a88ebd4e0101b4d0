using Capsule.Server.Api.Validation;

namespace Capsule.Server.Files;

/// <summary>The fields of <c>POST /upload</c> (InstaVM's <c>Body_upload_file_endpoint_upload_post</c>), validated.</summary>
internal sealed record UploadForm(string RemotePath, string SessionId, bool Recursive, string? ApiKey)
{
    /// <summary>Reads the fields, or throws one 422 listing every problem (in the schema's field order).</summary>
    /// <param name="fields">The text fields as received.</param>
    /// <param name="hasFile">Whether a <c>file</c> part was received.</param>
    public static UploadForm Parse(IReadOnlyDictionary<string, string> fields, bool hasFile)
    {
        var form = new TextFields("body", name => name == "file" ? (hasFile ? "" : null) : fields.GetValueOrDefault(name));
        form.RequiredString("file");
        var remotePath = form.RequiredString("remote_path");
        var sessionId = form.RequiredString("session_id");
        var recursive = form.Bool("recursive", defaultValue: false);
        var apiKey = form.OptionalString("api_key");
        form.ThrowIfInvalid();
        return new UploadForm(remotePath!, sessionId!, recursive!.Value, apiKey);
    }
}
