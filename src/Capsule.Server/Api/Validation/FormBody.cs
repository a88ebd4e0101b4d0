namespace Capsule.Server.Api.Validation;

/// <summary>
/// Reads a small form body (<c>POST /download</c>) under the same size limit as JSON bodies. A body that is not a form
/// reads as no fields (so the 422 names what is missing); a form the framework cannot parse (limits, broken multipart
/// framing) is the client's error, not the server's.
/// </summary>
internal static class FormBody
{
    public static async Task<TextFields> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var max = BodyLimit.ApplyJson(request);
        if (!request.HasFormContentType)
            return new TextFields("body", _ => null);
        try
        {
            return TextFields.Form(await request.ReadFormAsync(cancellationToken));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw BodyLimit.TooLarge(max);
        }
        catch (BadHttpRequestException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw RequestBodyStream.Malformed(ex);
        }
    }
}
