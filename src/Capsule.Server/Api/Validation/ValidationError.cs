using System.Text.Json;
using System.Text.Json.Nodes;

namespace Capsule.Server.Api.Validation;

/// <summary>
/// One problem with a request, shaped like a pydantic v2 error as FastAPI returns it:
/// <c>{"type", "loc", "msg", "input", "ctx"?}</c>.
/// </summary>
/// <param name="Type">The pydantic error type, e.g. <c>int_parsing</c>, <c>missing</c>.</param>
/// <param name="Loc">Where: <c>"body"</c> then field names (strings) or positions (ints).</param>
/// <param name="Msg">The pydantic message.</param>
/// <param name="Input">The offending input as received; null writes JSON null.</param>
/// <param name="Ctx">Extra context (e.g. <c>{"ge": 20}</c>); omitted when null.</param>
internal sealed record ValidationError(
    string Type,
    IReadOnlyList<object> Loc,
    string Msg,
    JsonElement? Input,
    JsonObject? Ctx = null);
