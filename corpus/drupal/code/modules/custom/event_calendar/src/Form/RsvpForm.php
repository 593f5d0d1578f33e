<?php

declare(strict_types=1);

namespace Drupal\event_calendar\Form;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Session\AccountProxyInterface;
use Drupal\event_calendar\RsvpTracker;
use Drupal\node\NodeInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Lets the current user register for an event and bring guests.
 */
class RsvpForm extends FormBase {

  /**
   * The largest party one registration may bring along.
   */
  protected const MAX_GUESTS = 4;

  public function __construct(
    protected readonly RsvpTracker $rsvpTracker,
    protected readonly AccountProxyInterface $account,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('event_calendar.rsvp_tracker'),
      $container->get('current_user'),
      $container->get('datetime.time'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'event_calendar_rsvp';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state, ?NodeInterface $node = NULL): array {
    $form_state->set('event', $node);
    $registered = $this->rsvpTracker->isRegistered($node, $this->account);

    $form['intro'] = [
      '#markup' => $registered
        ? $this->t('You are registered for %event. Submit again to change your guests.', ['%event' => $node->label()])
        : $this->t('Register for %event.', ['%event' => $node->label()]),
    ];
    $form['guests'] = [
      '#type' => 'number',
      '#title' => $this->t('Guests'),
      '#description' => $this->t('People coming with you, up to @max.', ['@max' => static::MAX_GUESTS]),
      '#min' => 0,
      '#max' => static::MAX_GUESTS,
      '#default_value' => 0,
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = [
      '#type' => 'submit',
      '#value' => $registered ? $this->t('Update registration') : $this->t('Register'),
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $event = $form_state->get('event');
    $end = strtotime($event->get('field_event_date')->end_value . ' UTC');
    if ($end < $this->time->getRequestTime()) {
      $form_state->setErrorByName('guests', $this->t('%event is already over.', ['%event' => $event->label()]));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $event = $form_state->get('event');
    $this->rsvpTracker->register($event, $this->account, (int) $form_state->getValue('guests'));
    $this->messenger()->addStatus($this->t('See you at %event!', ['%event' => $event->label()]));
    $form_state->setRedirectUrl($event->toUrl());
  }

}
