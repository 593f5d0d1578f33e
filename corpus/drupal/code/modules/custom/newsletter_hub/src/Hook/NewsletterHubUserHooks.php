<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub\Hook;

use Drupal\Core\Hook\Attribute\Hook;
use Drupal\newsletter_hub\SubscriptionManagerInterface;
use Drupal\user\UserInterface;

/**
 * Keeps subscriptions in step with the user accounts they belong to.
 */
class NewsletterHubUserHooks {

  public function __construct(
    protected readonly SubscriptionManagerInterface $subscriptions,
  ) {}

  /**
   * Implements hook_ENTITY_TYPE_insert() for user entities.
   *
   * People who tick the opt-in box at registration have just proven their
   * address, so they are subscribed as confirmed.
   */
  #[Hook('user_insert')]
  public function subscribeOnRegistration(UserInterface $account): void {
    if ($account->hasField('field_newsletter_opt_in') && $account->get('field_newsletter_opt_in')->value && $account->getEmail()) {
      $this->subscriptions->subscribe(
        $account->getEmail(),
        $account->getPreferredLangcode(),
        (int) $account->id(),
        SubscriptionManagerInterface::CONFIRMED,
      );
    }
  }

  /**
   * Implements hook_ENTITY_TYPE_update() for user entities.
   *
   * A changed email address moves the subscription to the new address.
   */
  #[Hook('user_update')]
  public function followEmailChange(UserInterface $account): void {
    // EntityInterface::getOriginal() exists from Drupal 11.2.
    $original = method_exists($account, 'getOriginal') ? $account->getOriginal() : $account->original;
    $old = $original?->getEmail();
    if (!$old || $old === $account->getEmail() || !($subscriber = $this->subscriptions->loadByMail($old))) {
      return;
    }
    $this->subscriptions->unsubscribe((int) $subscriber['id']);
    if ($account->getEmail()) {
      $this->subscriptions->subscribe($account->getEmail(), $subscriber['langcode'], (int) $account->id(), (int) $subscriber['status']);
    }
  }

  /**
   * Implements hook_ENTITY_TYPE_delete() for user entities.
   */
  #[Hook('user_delete')]
  public function removeSubscription(UserInterface $account): void {
    if ($account->getEmail() && ($subscriber = $this->subscriptions->loadByMail($account->getEmail()))) {
      $this->subscriptions->unsubscribe((int) $subscriber['id']);
    }
  }

}
