using System.Net;

namespace Capsule.Client;

/// <summary>The server answered 404 for something other than a session: a guest file, an execution task, an API key.</summary>
public class NotFoundException : CapsuleApiException
{
    internal NotFoundException(string detail)
        : base(HttpStatusCode.NotFound, detail)
    {
    }
}
