<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub\Plugin\Condition;

use Drupal\Core\Condition\Attribute\Condition;
use Drupal\Core\Condition\ConditionPluginBase;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Session\AccountProxyInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\newsletter_hub\SubscriptionManagerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Passes for visitors whose account email is not on the mailing list yet.
 *
 * Anonymous visitors always pass: their address is unknown. Used to hide the
 * sign-up block from people who already subscribed.
 */
#[Condition(
  id: 'newsletter_hub_not_subscribed',
  label: new TranslatableMarkup('Not subscribed to the newsletter'),
)]
class NotSubscribedCondition extends ConditionPluginBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly SubscriptionManagerInterface $subscriptions,
    protected readonly AccountProxyInterface $currentUser,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('newsletter_hub.subscription_manager'),
      $container->get('current_user'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function evaluate(): bool {
    if ($this->currentUser->isAnonymous() || !$this->currentUser->getEmail()) {
      return TRUE;
    }
    return $this->subscriptions->loadByMail($this->currentUser->getEmail()) === NULL;
  }

  /**
   * {@inheritdoc}
   */
  public function summary(): TranslatableMarkup {
    return $this->isNegated()
      ? $this->t('The current user is subscribed to the newsletter')
      : $this->t('The current user is not subscribed to the newsletter');
  }

  /**
   * {@inheritdoc}
   */
  public function getCacheContexts(): array {
    return [...parent::getCacheContexts(), 'user'];
  }

}
