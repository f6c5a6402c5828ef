package dev.flowsync.core;

/**
 * Base of every exception FlowSync throws on purpose. Unchecked, and always carrying the protocol
 * {@link ErrorCode} the client will see. Messages name the object and the value, e.g. {@code Room
 * 'r1' is full (capacity 8)}.
 */
public class FlowSyncException extends RuntimeException {
  private final ErrorCode code;

  public FlowSyncException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public FlowSyncException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The protocol error code; never null. */
  public ErrorCode code() {
    return code;
  }

  /** {@code not_found}: the room (or other object) does not exist. */
  public static final class NotFoundException extends FlowSyncException {
    public NotFoundException(String message) {
      super(ErrorCode.NOT_FOUND, message);
    }
  }

  /** {@code forbidden}: the caller is authenticated but may not do this. */
  public static final class ForbiddenException extends FlowSyncException {
    public ForbiddenException(String message) {
      super(ErrorCode.FORBIDDEN, message);
    }
  }

  /** {@code room_full}: admission would exceed the room's capacity. */
  public static final class RoomFullException extends FlowSyncException {
    public RoomFullException(String message) {
      super(ErrorCode.ROOM_FULL, message);
    }
  }

  /** {@code conflict}: the command does not fit the current state, or the id is taken. */
  public static final class ConflictException extends FlowSyncException {
    public ConflictException(String message) {
      super(ErrorCode.CONFLICT, message);
    }
  }

  /** {@code bad_request}: a field is missing, of the wrong type or out of range. */
  public static final class BadRequestException extends FlowSyncException {
    public BadRequestException(String message) {
      super(ErrorCode.BAD_REQUEST, message);
    }
  }

  /** {@code too_large}: a value is over its size limit. */
  public static final class TooLargeException extends FlowSyncException {
    public TooLargeException(String message) {
      super(ErrorCode.TOO_LARGE, message);
    }
  }

  /** {@code unauthorized}: the token is missing, unknown, expired or revoked. */
  public static final class UnauthorizedException extends FlowSyncException {
    public UnauthorizedException(String message) {
      super(ErrorCode.UNAUTHORIZED, message);
    }
  }

  /** {@code peer_not_found}: the signal's target is not a member of the room. */
  public static final class PeerNotFoundException extends FlowSyncException {
    public PeerNotFoundException(String message) {
      super(ErrorCode.PEER_NOT_FOUND, message);
    }
  }

  /** {@code unavailable}: a store or the cluster could not be reached; nothing was changed. */
  public static final class UnavailableException extends FlowSyncException {
    public UnavailableException(String message, Throwable cause) {
      super(ErrorCode.UNAVAILABLE, message, cause);
    }
  }
}
