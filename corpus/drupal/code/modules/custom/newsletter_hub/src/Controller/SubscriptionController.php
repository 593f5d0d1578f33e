<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Url;
use Drupal\newsletter_hub\SubscriberTokenGenerator;
use Drupal\newsletter_hub\SubscriptionManagerInterface;
use Symfony\Component\HttpKernel\Exception\AccessDeniedHttpException;

/**
 * Handles the signed links in confirmation and issue emails.
 *
 * These links are opened from a mail client without a session, so instead of
 * a CSRF token they carry an HMAC of the subscriber and the action.
 */
class SubscriptionController extends ControllerBase {

  public function __construct(
    protected readonly SubscriptionManagerInterface $subscriptions,
    protected readonly SubscriberTokenGenerator $tokens,
  ) {}

  /**
   * Confirms a pending subscription.
   */
  public function confirm(int $subscriber_id, string $token): array {
    $subscriber = $this->verify($subscriber_id, 'confirm', $token);
    $this->subscriptions->confirm($subscriber_id);
    $this->getLogger('newsletter_hub')->info('Subscription of %mail confirmed.', ['%mail' => $subscriber['mail']]);

    return [
      '#markup' => $this->t('Thank you! %mail will receive our next issue.', ['%mail' => $subscriber['mail']]),
      '#cache' => ['max-age' => 0],
    ];
  }

  /**
   * Removes a subscription.
   */
  public function unsubscribe(int $subscriber_id, string $token): array {
    $subscriber = $this->verify($subscriber_id, 'unsubscribe', $token);
    $this->subscriptions->unsubscribe($subscriber_id);

    return [
      'message' => [
        '#markup' => $this->t('%mail was removed from the mailing list.', ['%mail' => $subscriber['mail']]),
      ],
      'resubscribe' => [
        '#type' => 'link',
        '#title' => $this->t('Changed your mind? Subscribe again'),
        '#url' => Url::fromRoute('newsletter_hub.subscribe'),
        '#prefix' => '<p>',
        '#suffix' => '</p>',
      ],
      '#cache' => ['max-age' => 0],
    ];
  }

  /**
   * Loads the subscriber of a link and checks the link's token.
   *
   * @throws \Symfony\Component\HttpKernel\Exception\AccessDeniedHttpException
   *   When the subscriber is gone or the token does not match.
   */
  protected function verify(int $subscriber_id, string $action, string $token): array {
    $subscriber = $this->subscriptions->load($subscriber_id);
    if (!$subscriber || !$this->tokens->isValid($subscriber, $action, $token)) {
      throw new AccessDeniedHttpException('This link is invalid or was already used.');
    }
    return $subscriber;
  }

}
