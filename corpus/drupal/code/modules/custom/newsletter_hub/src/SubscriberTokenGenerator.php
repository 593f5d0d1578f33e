<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub;

use Drupal\Component\Utility\Crypt;
use Drupal\Core\PrivateKey;
use Drupal\Core\Site\Settings;
use Drupal\Core\Url;

/**
 * Signs the confirmation and unsubscribe links sent to subscribers.
 *
 * The links are opened from a mailbox, outside any session, so the token is
 * an HMAC bound to the subscriber, the address and the action.
 */
class SubscriberTokenGenerator {

  public function __construct(
    protected readonly PrivateKey $privateKey,
  ) {}

  /**
   * Computes the token for one action on one subscriber.
   */
  public function generate(array $subscriber, string $action): string {
    $data = implode(':', [$action, $subscriber['id'], mb_strtolower($subscriber['mail'])]);
    return Crypt::hmacBase64($data, $this->privateKey->get() . Settings::getHashSalt());
  }

  /**
   * Tells whether a token from a link is valid, in constant time.
   */
  public function isValid(array $subscriber, string $action, string $token): bool {
    return hash_equals($this->generate($subscriber, $action), $token);
  }

  /**
   * Builds the absolute URL of a signed link.
   *
   * @param array $subscriber
   *   The subscriber the link is for.
   * @param string $action
   *   Either "confirm" or "unsubscribe".
   */
  public function url(array $subscriber, string $action): Url {
    return Url::fromRoute('newsletter_hub.' . $action, [
      'subscriber_id' => $subscriber['id'],
      'token' => $this->generate($subscriber, $action),
    ], ['absolute' => TRUE]);
  }

}
