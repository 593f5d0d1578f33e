<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub\Plugin\QueueWorker;

use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Mail\MailManagerInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\QueueWorkerBase;
use Drupal\Core\Queue\SuspendQueueException;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\newsletter_hub\SubscriberTokenGenerator;
use Drupal\newsletter_hub\SubscriptionManagerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Mails one newsletter issue to a batch of confirmed subscribers.
 */
#[QueueWorker(
  id: 'newsletter_hub_delivery',
  title: new TranslatableMarkup('Newsletter issue delivery'),
  cron: ['time' => 45],
)]
class IssueDeliveryWorker extends QueueWorkerBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly MailManagerInterface $mailManager,
    protected readonly SubscriptionManagerInterface $subscriptions,
    protected readonly SubscriberTokenGenerator $tokens,
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
      $container->get('entity_type.manager'),
      $container->get('plugin.manager.mail'),
      $container->get('newsletter_hub.subscription_manager'),
      $container->get('newsletter_hub.token_generator'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function processItem($data): void {
    $issue = $this->entityTypeManager->getStorage('node')->load($data['nid']);
    if (!$issue || !$issue->isPublished()) {
      return;
    }
    foreach ($data['subscribers'] as $id) {
      $subscriber = $this->subscriptions->load((int) $id);
      // Unsubscribed since the issue was queued.
      if (!$subscriber || (int) $subscriber['status'] !== SubscriptionManagerInterface::CONFIRMED) {
        continue;
      }
      $result = $this->mailManager->mail('newsletter_hub', 'issue', $subscriber['mail'], $subscriber['langcode'] ?: 'en', [
        'issue' => $issue,
        'unsubscribe_url' => $this->tokens->url($subscriber, 'unsubscribe')->toString(),
      ]);
      if (empty($result['result'])) {
        // The mail system is down; keep the item and retry on the next run.
        throw new SuspendQueueException('Newsletter mail could not be sent.');
      }
    }
  }

}
